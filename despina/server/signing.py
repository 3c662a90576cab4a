"""Signed blob links: a URL that reads one blob for a while without the Authorization header
(for ``<img src>``, downloads and ``<a download>``).

The signature is HMAC-SHA256 over the blob's hash, the expiry and the file name, with a random
key kept in the accounts' database (``acct_secrets``), so every server over one database
accepts the links of the others.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

LINK_SECRET = "blob_links"
LINK_SECONDS = 3600


def link_key(accounts) -> bytes:
    """The signing key, made on first use (one for every server over the database)."""
    key = getattr(accounts, "_link_key", None)
    if key is None:
        key = accounts._link_key = accounts.secret(LINK_SECRET)
    return key


def signature(key: bytes, sha256: str, expires: int, filename: str | None) -> str:
    message = f"{sha256}\n{expires}\n{filename or ''}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def make_link(key: bytes, sha256: str, filename: str | None, now: float) -> str:
    """``api/v1/blobs/<sha>?exp=..&sig=..[&filename=..]``, relative to the app's base."""
    expires = int(now) + LINK_SECONDS
    query = {"exp": str(expires), "sig": signature(key, sha256, expires, filename)}
    if filename:
        query["filename"] = filename
    return f"api/v1/blobs/{sha256}?{urlencode(query)}"


def link_is_valid(
    key: bytes, sha256: str, expires: str, sig: str, filename: str | None, now: float
) -> bool:
    if not expires.isdigit() or len(expires) > 12 or int(expires) < now:
        return False
    want = signature(key, sha256, int(expires), filename)
    return hmac.compare_digest(want, sig)
