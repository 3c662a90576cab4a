"""Manage a server's projects and their members, working on its database directly.

despina project create WORKSPACE/NAME [--owner USER]
despina project list
despina project members WORKSPACE/NAME
despina project add-member WORKSPACE/NAME USER ROLE        roles: viewer, contributor, owner
despina project remove-member WORKSPACE/NAME USER
despina project workspace-member WORKSPACE USER ROLE       a role in every project of it
"""

from __future__ import annotations

import argparse

from despina.cli import _server

HELP = "manage a server's projects and members (on the server's machine)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _server.add_data_arguments(parser)
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="create a project")
    create.add_argument("project")
    create.add_argument("--owner", help="user to make its owner")
    sub.add_parser("list", help="list projects")
    members = sub.add_parser("members", help="list a project's members")
    members.add_argument("project")
    add = sub.add_parser("add-member", help="give a user a role in a project")
    add.add_argument("project")
    add.add_argument("user")
    add.add_argument("role", choices=("viewer", "contributor", "owner"))
    remove = sub.add_parser("remove-member", help="take a user out of a project")
    remove.add_argument("project")
    remove.add_argument("user")
    ws = sub.add_parser("workspace-member", help="give a user a role in a whole workspace")
    ws.add_argument("workspace")
    ws.add_argument("user")
    ws.add_argument("role", choices=("viewer", "contributor", "owner"))


def run(args: argparse.Namespace) -> int:
    from despina.server.checks import check_project_name

    store, accounts = _server.open_accounts(args)
    try:
        if args.action == "create":
            p = store.get_or_create_project(check_project_name(args.project))
            if args.owner:
                accounts.set_project_role(p.qualified_name, args.owner, "owner")
            print(f"Project {p.qualified_name} (key {p.key}).")
        elif args.action == "list":
            for p in store.list_projects():
                print(f"{p.qualified_name}\t{p.key}")
        elif args.action == "members":
            name = check_project_name(args.project)
            workspace = name.split("/", 1)[0]
            for user, role in accounts.project_members(name):
                print(f"{user}\t{role}")
            for user, role in accounts.workspace_members(workspace):
                print(f"{user}\t{role} (workspace {workspace})")
        elif args.action == "add-member":
            name = check_project_name(args.project)
            accounts.set_project_role(name, args.user, args.role)
            print(f"{args.user} is now a {args.role} of {name}.")
        elif args.action == "remove-member":
            name = check_project_name(args.project)
            accounts.remove_project_member(name, args.user)
            print(f"{args.user} is no longer a member of {name}.")
        else:
            accounts.set_workspace_role(args.workspace, args.user, args.role)
            print(f"{args.user} is now a {args.role} of workspace {args.workspace}.")
    finally:
        store.close()
    return 0
