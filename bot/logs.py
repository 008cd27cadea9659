"""Logging that is safe to share: tokens, secrets and buyers' personal data never reach a log.

`configure(verbosity, settings_secrets)` installs `Redactor` on the root handler, so every
record of every library passes through it at every level, its arguments and traceback included.
`-v` turns on DEBUG for chatshop's own packages only; `-vv` for every library too.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable

# chatshop's own top-level packages: `-v` raises these alone.
OWN_LOGGERS = (
    "bot", "handlers", "catalog", "money", "orders", "payments", "storefront", "conversation",
    "preferences", "merchants", "outbox", "inbox", "i18n", "db",
)  # fmt: skip
REDACTED = "[redacted]"
# JSON or repr keys whose values are personal data (a buyer's typed text may be their street).
_PERSONAL_KEYS = (
    "phone_number", "phone", "address", "street", "street_line1", "street_line2", "city",
    "postcode", "post_code", "postal_code", "first_name", "last_name", "username", "name",
    "text", "caption", "email", "vcard", "secret_token", "callback_secret", "api_key",
)  # fmt: skip


@functools.cache
def _patterns() -> tuple[re.Pattern[str], ...]:
    keys = "|".join(_PERSONAL_KEYS)
    return (
        re.compile(r"(?<!\d)\d{5,12}:[A-Za-z0-9_-]{30,}"),  # a bot token, also inside /bot<token>/
        re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{8,}"),  # Stripe keys
        re.compile(r"\bwhsec_[A-Za-z0-9]{8,}"),  # Stripe webhook secrets
        # 'key': 'value', "key": "value", key=value (JSON, Python reprs, form bodies)
        re.compile(
            rf"""(?P<key>['"]?\b(?:{keys})\b['"]?\s*[:=]\s*)"""
            r"""(?P<value>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s,&}\]]+)"""
        ),
        re.compile(r"(?<![\w+])\+\d[\d ()\-]{6,}\d"),  # phone numbers in international form
    )


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every token, secret and piece of personal data replaced by [redacted]."""
    token, stripe_key, webhook_secret, keyed, phone = _patterns()
    text = keyed.sub(lambda m: m.group("key") + REDACTED, text)
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, REDACTED)
    text = token.sub(REDACTED, text)
    text = stripe_key.sub(REDACTED, text)
    text = webhook_secret.sub(REDACTED, text)
    return phone.sub(REDACTED, text)


class Redactor(logging.Filter):
    """Rewrites each record's message (and traceback) with `redact` before any handler sees it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw parts, redacted
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def configure(verbosity: int, secrets: Iterable[str] = ()) -> None:
    """WARNING by default; -v: DEBUG for chatshop's loggers; -vv: DEBUG for all. Redacted."""
    logging.basicConfig(
        level=logging.DEBUG if verbosity >= 2 else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if verbosity == 1:
        for name in OWN_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG)
    redactor = Redactor(secrets)
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, Redactor) for f in handler.filters):
            handler.addFilter(redactor)
