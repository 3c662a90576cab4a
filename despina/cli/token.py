"""Manage a server's API tokens, working on its database directly (on the server's machine).

despina token create USER [--name N] [--expires-days D] [--url URL]   prints the token, once
despina token list [--user USER]
despina token revoke ID
"""

from __future__ import annotations

import argparse
import datetime as dt

from despina.cli import _server

HELP = "manage a server's API tokens (on the server's machine)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    _server.add_data_arguments(parser)
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="make a token and print it (shown only once)")
    create.add_argument("user")
    create.add_argument("--name", default="", help="a label, such as the machine it is for")
    create.add_argument("--expires-days", type=float, help="lifetime in days (default: none)")
    create.add_argument(
        "--url",
        help="the server's address as clients reach it (http://host:8732): then the token is "
        "also printed in Neptune's form, which carries the address (NEPTUNE_API_TOKEN)",
    )
    listing = sub.add_parser("list", help="list tokens (never their text)")
    listing.add_argument("--user")
    revoke = sub.add_parser("revoke", help="revoke a token by its id")
    revoke.add_argument("id", type=int)


def _when(t: float | None) -> str:
    if t is None:
        return "-"
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _address(url: str) -> str:
    """``url`` as a server's base address, or SystemExit saying what is wrong with it."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise SystemExit(
            f"despina token create: --url {url!r} is not a server address: give one such as "
            "http://tracker.example:8732"
        )
    return url.strip().rstrip("/")


def run(args: argparse.Namespace) -> int:
    store, accounts = _server.open_accounts(args)
    try:
        if args.action == "create":
            expires = args.expires_days * 86400 if args.expires_days is not None else None
            url = _address(args.url) if args.url is not None else None
            token, info = accounts.create_token(args.user, name=args.name, expires_in=expires)
            print(token)
            print(
                f"(token {info.id} for {info.user}; expires {_when(info.expires)}. It is shown "
                "only now: keep it in DESPINA_API_TOKEN.)",
            )
            if url is not None:
                from despina.client.http_backend import make_api_token

                print(make_api_token(url, token))
                print(
                    f"(the same token in Neptune's form, naming {url}: for NEPTUNE_API_TOKEN, "
                    "or DESPINA_API_TOKEN without DESPINA_URL)"
                )
        elif args.action == "list":
            for t in accounts.list_tokens(args.user):
                state = "revoked" if t.revoked else "active"
                print(
                    f"{t.id}\t{t.user}\t{t.hint}...\t{t.name or '-'}\t{state}\t"
                    f"expires {_when(t.expires)}\tlast used {_when(t.last_used)}"
                )
        else:
            t = accounts.revoke_token(args.id)
            print(f"Revoked token {t.id} of {t.user}.")
    finally:
        store.close()
    return 0
