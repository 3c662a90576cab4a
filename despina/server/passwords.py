"""Passwords and logging in: a user may have a password (scrypt hash), and logging in with it
issues an ordinary API token with an expiry.

Failed attempts are counted per user name in ``acct_login_failures`` (in the database, so
every server over it counts together): after ``MAX_FAILURES`` within ``WINDOW`` seconds the
name is refused, right password or not, until the window has passed. Unknown names are counted
and answered like wrong passwords (and take as long), so a login does not tell which names
exist.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from despina.errors import DespinaError, UsageError

SCRYPT_N, SCRYPT_R, SCRYPT_P = 1 << 14, 8, 1
MIN_LENGTH = 8
MAX_LENGTH = 1024
MAX_FAILURES = 5
WINDOW = 15 * 60.0  # seconds
LOGIN_TOKEN_SECONDS = 7 * 24 * 3600.0
_DUMMY = None  # a hash to check unknown names against, so they take as long


class LoginRefused(DespinaError):
    """Wrong user or password (the message never says which)."""


class TooManyAttempts(DespinaError):
    """Too many failed logins for this user: try again after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64) of ``password``."""
    check_password_text(password)
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(want),
            maxmem=256 << 20,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def check_password_text(password) -> str:
    if not isinstance(password, str) or not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        raise UsageError(
            f"a password must be {MIN_LENGTH} to {MAX_LENGTH} characters long; choose a longer one"
        )
    return password


def _dummy_hash() -> str:
    global _DUMMY
    if _DUMMY is None:
        _DUMMY = hash_password(secrets.token_urlsafe(16))
    return _DUMMY


@dataclass(frozen=True, slots=True)
class Login:
    user: str
    token: str
    expires: float


class Logins:
    """Passwords and logins over the accounts' database (``accounts``: an ``Accounts``)."""

    def __init__(self, accounts):
        self.accounts = accounts
        self._db = accounts._db

    def set_password(self, name: str, password: str | None) -> None:
        """Set (or with None, remove) the password of user ``name``."""
        user = self.accounts.get_user(name)
        with self._db.transaction(lock="accounts") as conn:
            conn.execute("DELETE FROM acct_passwords WHERE user_id = ?", (user.id,))
            if password is not None:
                conn.execute(
                    "INSERT INTO acct_passwords (user_id, hash, updated) VALUES (?, ?, ?)",
                    (user.id, hash_password(password), self.accounts.clock()),
                )
            conn.execute("DELETE FROM acct_login_failures WHERE name = ?", (name,))

    def has_password(self, name: str) -> bool:
        user = self.accounts.get_user(name)
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT 1 FROM acct_passwords WHERE user_id = ?", (user.id,)
            ).fetchone()
        return row is not None

    def login(self, name: str, password: str, *, lifetime: float = LOGIN_TOKEN_SECONDS) -> Login:
        """A new token for ``name`` when ``password`` is right; LoginRefused when it is not
        (or the user is unknown, disabled or has no password), TooManyAttempts when the name
        has failed too often lately."""
        if not isinstance(name, str) or not isinstance(password, str):
            raise UsageError("give the user and the password as strings")
        if not name or len(name) > 100 or len(password) > MAX_LENGTH:
            raise LoginRefused("unknown user or wrong password")
        now = self.accounts.clock()
        self._check_attempts(name, now)
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT u.disabled, p.hash FROM acct_users u "
                "LEFT JOIN acct_passwords p ON p.user_id = u.id WHERE u.name = ?",
                (name,),
            ).fetchone()
        stored = row[1] if row is not None and row[1] is not None else None
        ok = verify_password(password, stored if stored else _dummy_hash())
        if not ok or stored is None or row[0]:
            self._fail(name, now)
            raise LoginRefused("unknown user or wrong password")
        with self._db.transaction(lock="accounts") as conn:
            conn.execute("DELETE FROM acct_login_failures WHERE name = ?", (name,))
        token, info = self.accounts.create_token(name, name="web login", expires_in=lifetime)
        return Login(name, token, info.expires)

    def _check_attempts(self, name: str, now: float) -> None:
        with self._db.reading() as conn:
            row = conn.execute(
                "SELECT failures, first FROM acct_login_failures WHERE name = ?", (name,)
            ).fetchone()
        if row is not None and row[0] >= MAX_FAILURES and now - row[1] < WINDOW:
            wait = WINDOW - (now - row[1])
            raise TooManyAttempts(
                f"too many failed logins for {name!r}: try again in {int(wait // 60) + 1} "
                "minutes, or ask an admin to set a new password",
                wait,
            )

    def _fail(self, name: str, now: float) -> None:
        with self._db.transaction(lock="accounts") as conn:
            row = conn.execute(
                "SELECT failures, first FROM acct_login_failures WHERE name = ?", (name,)
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO acct_login_failures (name, failures, first) VALUES (?, 1, ?)",
                    (name, now),
                )
            elif now - row[1] >= WINDOW:
                conn.execute(
                    "UPDATE acct_login_failures SET failures = 1, first = ? WHERE name = ?",
                    (now, name),
                )
            else:
                conn.execute(
                    "UPDATE acct_login_failures SET failures = failures + 1 WHERE name = ?",
                    (name,),
                )
