"""Manage the users of a server, working on its database directly (run it on the server's
machine, as the user that runs the server).

  despina user add NAME [--admin] [--service] [--password]
                                                create a user (or a service account);
                                                `create` is the same command
  despina user set-password NAME [--remove]     set (or remove) the password of the web app's
                                                login; asked twice on a terminal, else read
                                                from the first line of standard input
  despina user list
  despina user disable NAME / enable NAME       a disabled user's tokens stop working
"""

from __future__ import annotations

import argparse
import getpass
import sys

from despina.cli import _server
from despina.errors import UsageError

HELP = "manage a server's users (on the server's machine)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _server.add_data_arguments(parser)
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    add = sub.add_parser("add", aliases=["create"], help="create a user")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may do anything")
    add.add_argument("--service", action="store_true", help="a service account (for scripts)")
    add.add_argument(
        "--password",
        action="store_true",
        help="give it a password for the web app's login (asked, or read from stdin)",
    )
    setpw = sub.add_parser("set-password", help="set the password of the web app's login")
    setpw.add_argument("name")
    setpw.add_argument("--remove", action="store_true", help="remove the password instead")
    sub.add_parser("list", help="list users")
    for action in ("disable", "enable"):
        p = sub.add_parser(action, help=f"{action} a user")
        p.add_argument("name")


def run(args: argparse.Namespace) -> int:
    store, accounts = _server.open_accounts(args)
    try:
        if args.action in ("add", "create"):
            password = read_password(args.name) if args.password else None
            u = accounts.create_user(args.name, admin=args.admin, service=args.service)
            if password is not None:
                accounts.logins.set_password(u.name, password)
            kind = "service account" if u.service else ("admin" if u.admin else "user")
            print(f"Created {kind} {u.name}. Make it a token with `despina token create {u.name}`.")
        elif args.action == "set-password":
            accounts.get_user(args.name)  # an unknown name fails before the prompt
            password = None if args.remove else read_password(args.name)
            accounts.logins.set_password(args.name, password)
            print(f"{'Removed' if args.remove else 'Set'} the password of {args.name}.")
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


def read_password(name: str) -> str:
    """Asked twice on a terminal; else the first line of standard input."""
    from despina.server.passwords import check_password_text

    if sys.stdin is not None and sys.stdin.isatty():
        first = getpass.getpass(f"Password for {name}: ")
        if getpass.getpass("Again: ") != first:
            raise UsageError("the two passwords differ; nothing was changed")
    else:
        first = (sys.stdin.readline() if sys.stdin is not None else "").rstrip("\r\n")
        if not first:
            raise UsageError(
                'no password on standard input: pipe it in (echo "$PW" | despina user '
                "set-password NAME) or run the command on a terminal"
            )
    return check_password_text(first)
