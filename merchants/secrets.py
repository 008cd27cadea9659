"""Merchants' payment secrets, encrypted at rest with Fernet (`cryptography`).

The key comes from `CHATSHOP_SECRET_KEY`: one or more Fernet keys separated by commas. The first
encrypts; every one of them decrypts (a `MultiFernet`), so a key is rotated by putting the new
one first, restarting (every stored secret is re-encrypted with it, `seal_stored_secrets`), then
dropping the old one. A stored secret reads `fernet:<token>`; anything else in a secret field is
a plain value written by an older version, sealed on the next start with a key configured.

Nothing here logs or returns a secret except `SecretBox.open` to the code that uses it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from merchants.models import MerchantSettings

PREFIX: Final = "fernet:"
# Every field of `MerchantSettings.payment_config` that holds a secret.
SECRET_FIELDS: Final = frozenset({"stripe_api_key", "stripe_webhook_secret", "callback_secret"})


class SecretKeyError(ValueError):
    """The secret key is missing, malformed or cannot open what is stored: one sentence."""


def new_key() -> str:
    """A fresh key for `CHATSHOP_SECRET_KEY`."""
    return Fernet.generate_key().decode()


@dataclass(frozen=True, slots=True)
class SecretBox:
    """Seals and opens secrets with the configured keys (first key seals, any key opens)."""

    _fernet: MultiFernet
    _first: Fernet

    @classmethod
    def from_keys(cls, keys: str) -> SecretBox:
        """From `CHATSHOP_SECRET_KEY`'s text; `SecretKeyError` says what is wrong, not the key."""
        parts = [part.strip() for part in keys.split(",") if part.strip()]
        if not parts:
            raise SecretKeyError("CHATSHOP_SECRET_KEY is empty")
        fernets = []
        for number, part in enumerate(parts, 1):
            try:
                fernets.append(Fernet(part.encode()))
            except ValueError:
                raise SecretKeyError(
                    f"CHATSHOP_SECRET_KEY key {number} is not a Fernet key (32 url-safe base64 "
                    "bytes, as `chatshop merchant new-secret-key` prints)"
                ) from None
        return cls(MultiFernet(fernets), fernets[0])

    def seal(self, secret: str) -> str:
        return PREFIX + self._fernet.encrypt(secret.encode()).decode()

    def open(self, stored: str) -> str:
        """The secret in `stored`; a plain (legacy) value is returned as it is."""
        if not is_sealed(stored):
            return stored
        try:
            return self._fernet.decrypt(stored.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise SecretKeyError(
                "CHATSHOP_SECRET_KEY cannot decrypt a stored payment secret; keep the old key "
                "after the new one until every worker has restarted"
            ) from None

    def reseal(self, stored: str) -> str:
        """`stored` sealed with the first key: unchanged when it already is, else sealed anew
        (a plain value, or one sealed with an older key)."""
        if is_sealed(stored):
            token = stored.removeprefix(PREFIX).encode()
            try:
                self._first.decrypt(token)
                return stored
            except InvalidToken:
                return PREFIX + self._fernet.rotate(token).decode()
        return self.seal(stored)


def is_sealed(value: str) -> bool:
    return value.startswith(PREFIX)


def box_from(keys: str | None) -> SecretBox | None:
    """The box for a configured key, or None when none is set."""
    return SecretBox.from_keys(keys) if keys else None


def seal_values(values: Mapping[str, str], box: SecretBox | None) -> dict[str, str]:
    """`values` with every secret field sealed; `SecretKeyError` when one is given without a key."""
    sealed: dict[str, str] = {}
    for name, value in values.items():
        if name in SECRET_FIELDS and value:
            if box is None:
                raise SecretKeyError(
                    "CHATSHOP_SECRET_KEY is not set; payment secrets are stored only encrypted "
                    "(generate a key with `chatshop merchant new-secret-key`)"
                )
            value = box.seal(value)
        sealed[name] = value
    return sealed


def open_values(config: Mapping[str, Any], box: SecretBox | None) -> dict[str, Any]:
    """`config` with its secrets opened; `SecretKeyError` when a sealed one has no key."""
    opened = dict(config)
    for name in SECRET_FIELDS & set(config):
        value = config[name]
        if isinstance(value, str) and is_sealed(value):
            if box is None:
                raise SecretKeyError(
                    "CHATSHOP_SECRET_KEY is not set, and merchants' payment secrets are stored "
                    "encrypted with it"
                )
            opened[name] = box.open(value)
    return opened


def stored_secrets(config: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for name in sorted(SECRET_FIELDS & set(config)):
        value = config[name]
        if isinstance(value, str) and value:
            yield name, value


async def seal_stored_secrets(session: AsyncSession, box: SecretBox | None) -> int:
    """At start: seals plain secrets and re-seals with the first key; returns how many changed.

    Raises `SecretKeyError` when secrets are stored and no key is set, or the key cannot open
    them: the program must not start and fail on the first payment instead.
    """
    rows = list(await session.scalars(select(MerchantSettings)))
    changed = 0
    for row in rows:
        config = dict(row.payment_config or {})
        secrets = list(stored_secrets(config))
        if not secrets:
            continue
        if box is None:
            raise SecretKeyError(
                "CHATSHOP_SECRET_KEY is not set, but merchants' payment secrets are stored; set "
                "it to the key they were encrypted with (or a new one from `chatshop merchant "
                "new-secret-key` if they are still plain)"
            )
        for name, value in secrets:
            box.open(value)  # a key that cannot open it stops here
            resealed = box.reseal(value)
            if resealed != value:
                config[name] = resealed
                changed += 1
        row.payment_config = config
    await session.flush()
    return changed
