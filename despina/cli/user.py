"""Manage the users of a server, working on its database directly (run it on the server's
machine, as the user that runs the server).

  despina user add NAME [--admin] [--service]   create a user (or a service account)
  despina user list
  despina user disable NAME / enable NAME       a disabled user's tokens stop working
"""

from __future__ import annotations

import argparse

from despina.cli import _server

HELP = "manage a server's users (on the server's machine)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _server.add_data_arguments(parser)
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", help="create a user")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may do anything")
    add.add_argument("--service", action="store_true", help="a service account (for scripts)")
    sub.add_parser("list", help="list users")
    for action in ("disable", "enable"):
        p = sub.add_parser(action, help=f"{action} a user")
        p.add_argument("name")


def run(args: argparse.Namespace) -> int:
    store, accounts = _server.open_accounts(args)
    try:
        if args.action == "add":
            u = accounts.create_user(args.name, admin=args.admin, service=args.service)
            kind = "service account" if u.service else ("admin" if u.admin else "user")
            print(f"Created {kind} {u.name}. Make it a token with `despina token create {u.name}`.")
        elif args.action == "list":
            for u in accounts.list_users():
                flags = [
                    f
                    for f, on in (
                        ("admin", u.admin),
                        ("service", u.service),
                        ("disabled", u.disabled),
                    )
                    if on
                ]
                print(f"{u.name}{'  (' + ', '.join(flags) + ')' if flags else ''}")
        else:
            u = accounts.set_disabled(args.name, args.action == "disable")
            print(f"{u.name} is {'disabled' if u.disabled else 'enabled'}.")
    finally:
        store.close()
    return 0
