"""API keys: created with a random secret shown once, stored hashed, looked up by a prefix.

A key reads `nsai_<prefix>_<secret>`: 8 hex characters that identify it (stored in clear, so a
lookup is one indexed row and `nsai keys list` can show which key is which) and 43 characters of
`secrets.token_urlsafe(32)`, 256 random bits. Only HMAC-SHA256 of the whole key is stored.

Why not bcrypt/scrypt/argon2: a slow KDF protects low-entropy secrets (passwords) against
guessing. A 256-bit random secret cannot be guessed from its hash at any speed, so a KDF would
only add tens of milliseconds to every uncached request. The HMAC's fixed key separates these
digests from any other SHA-256 of the same text; the `hmac-sha256:` label lets the scheme change
later without ambiguity.
"""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, cast, get_args

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from nsai.db.queries import execute
from nsai.errors import NsaiError

Scope = Literal["read", "match", "steward"]
SCOPES: Final[tuple[Scope, ...]] = get_args(Scope)

_KEY = re.compile(r"nsai_([0-9a-f]{8})_[A-Za-z0-9_-]{43}")
_HMAC_KEY = b"nsai api key v1"
_HASH_LABEL = "hmac-sha256:"
_PREFIX_DRAWS = 5
KEYS: Final = "access/keys.sql"


@dataclass(frozen=True)
class NewKey:
    name: str
    prefix: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    key: str  # the only time the secret exists outside the client


@dataclass(frozen=True)
class VerifiedKey:
    """An active key that a client presented."""

    key_id: int
    name: str
    scopes: tuple[Scope, ...]


def digest(key: str) -> str:
    """What is stored for `key`, and compared against on every verification."""
    return _HASH_LABEL + hmac.new(_HMAC_KEY, key.encode(), "sha256").hexdigest()


def prefix_of(key: str) -> str | None:
    """The lookup prefix of a well-formed key; None for anything else (never sent to the DB)."""
    match = _KEY.fullmatch(key)
    return match.group(1) if match else None


def parse_scopes(text: str) -> tuple[Scope, ...]:
    """`read,match` as scopes in canonical order; an unknown or missing scope is an error."""
    names = {s.strip() for s in text.split(",") if s.strip()}
    if not names:
        raise NsaiError(f"give at least one scope: {', '.join(SCOPES)}")
    unknown = sorted(names - set(SCOPES))
    if unknown:
        raise NsaiError(
            f"unknown scope {', '.join(map(repr, unknown))}: choose from {', '.join(SCOPES)}"
        )
    return tuple(s for s in SCOPES if s in names)


def create(engine: Engine, name: str, scopes: tuple[Scope, ...]) -> NewKey:
    """A new key named `name` with `scopes`; its secret is in the result and nowhere else."""
    name = name.strip()
    if not name:
        raise NsaiError("a key needs a name: --name NAME")
    if not scopes:
        raise NsaiError(f"give at least one scope: {', '.join(SCOPES)}")
    try:
        with engine.begin() as conn:
            _refuse_taken(conn, name)
            for _ in range(_PREFIX_DRAWS):
                prefix = secrets.token_hex(4)
                key = f"nsai_{prefix}_{secrets.token_urlsafe(32)}"
                created = execute(
                    conn,
                    KEYS,
                    "create",
                    name=name,
                    prefix=prefix,
                    key_hash=digest(key),
                    scopes=list(scopes),
                )
                if created:
                    return NewKey(name, prefix, scopes, created[0][0], key)
    except IntegrityError:
        # Another `nsai keys create` took the name between our check and our insert.
        raise NsaiError(f"a key named {name!r} already exists: choose another name") from None
    raise NsaiError(f"could not draw an unused key prefix in {_PREFIX_DRAWS} tries; try again")


def _refuse_taken(conn: Connection, name: str) -> None:
    found = execute(conn, KEYS, "name_taken", name=name)
    if not found:
        return
    ((revoked_at,),) = found
    state = f"revoked at {revoked_at:%Y-%m-%d %H:%M:%S %Z}" if revoked_at else "active"
    raise NsaiError(
        f"a key named {name!r} already exists ({state}): choose another name "
        "(names stay taken after revocation, so logs keep meaning one key)"
    )


def listing(engine: Engine) -> list[dict[str, Any]]:
    """Every key, revoked ones too, without secrets or hashes."""
    with engine.connect() as conn:
        return execute(conn, KEYS, "list", returning=dict)


def revoke(engine: Engine, name: str) -> datetime:
    """Revoke the key named `name`; returns when. Unknown or already revoked keys are errors."""
    with engine.begin() as conn:
        revoked = execute(conn, KEYS, "revoke", name=name)
        if revoked:
            return cast(datetime, revoked[0][0])
        found = execute(conn, KEYS, "name_taken", name=name)
    if not found:
        raise NsaiError(f"no key named {name!r}: see `nsai keys list`")
    raise NsaiError(
        f"the key named {name!r} was already revoked at {found[0][0]:%Y-%m-%d %H:%M:%S %Z}"
    )


class KeyRejected(NsaiError):
    """A presented key that is malformed, unknown or revoked; the message says which."""


def verify(engine: Engine, key: str) -> VerifiedKey:
    """The active key `key` is; raises KeyRejected otherwise. Notes the use (see `touch`)."""
    prefix = prefix_of(key)
    if prefix is None:
        raise KeyRejected("this is not an NSAI API key (nsai_XXXXXXXX_...)")
    with engine.begin() as conn:
        found = execute(conn, KEYS, "find", returning=dict, prefix=prefix)
        if not found or not hmac.compare_digest(found[0]["key_hash"], digest(key)):
            raise KeyRejected("this API key is not recognised")
        row = found[0]
        if row["revoked_at"] is not None:
            raise KeyRejected("this API key has been revoked")
        # At most one write a minute per key: last_used_at is a hint for housekeeping.
        execute(conn, KEYS, "touch", key_id=row["key_id"])
    return VerifiedKey(row["key_id"], row["name"], tuple(row["scopes"]))
