"""Logs safe to share: every level, every library, tokens, secrets and personal data redacted."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logs import Redactor, configure, redact

TOKEN = "123456789:AAEhBP0av28vcJ3kQbIjFZ0RNZHdwdHrM1Q"


def test_tokens_secrets_and_personal_data_are_redacted() -> None:
    line = (
        f"POST https://api.telegram.org/bot{TOKEN}/sendMessage "
        "{'chat_id': 42, 'text': 'Hauptstraße 5, Berlin', 'phone_number': '+49 151 2345678'} "
        'secret_token=s3cr3t-webhook-value "street": "Rua Augusta 12" '
        "key sk_live_51Habcdefghijklmnop whsec_abcdefghijklmnop call +1 (415) 555-0100"
    )

    out = redact(line, ["s3cr3t-webhook-value"])

    for leak in (TOKEN, "Hauptstraße", "+49 151", "s3cr3t", "Rua Augusta", "sk_live_51H",
                 "whsec_abc", "555-0100"):  # fmt: skip
        assert leak not in out
    assert "chat_id': 42" in out and "sendMessage" in out  # what helps debugging stays


def test_ordinary_numbers_and_amounts_are_kept() -> None:
    line = "order NW-1042 paid 19.90 USD at 2026-12-07 14:00:01 for update 81234"
    assert redact(line) == line


@pytest.fixture
def root_logging() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in ("bot", "httpx", "telegram")}
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    try:
        yield stream
    finally:
        root.handlers, root.level = saved[0], saved[1]
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def test_every_library_at_every_level_passes_the_filter(root_logging: io.StringIO) -> None:
    configure(2, ["webhook-secret-0123"])

    logging.getLogger("httpx").debug("HTTP Request: POST %s/bot%s/getMe", "https://x", TOKEN)
    try:
        raise RuntimeError(f"secret webhook-secret-0123 in https://x/bot{TOKEN}/getMe")
    except RuntimeError:
        logging.getLogger("telegram.ext").exception("failed for %s", "+4915123456789")

    written = root_logging.getvalue()
    assert "getMe" in written and "RuntimeError" in written
    assert TOKEN not in written and "webhook-secret-0123" not in written
    assert "+4915123456789" not in written


def test_one_v_raises_only_chatshops_own_loggers(root_logging: io.StringIO) -> None:
    configure(1)

    assert logging.getLogger("bot.serve").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("outbox.sender").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("httpx").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("telegram.ext").isEnabledFor(logging.INFO)


def test_the_filter_rewrites_the_record_it_is_given() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s", (TOKEN,), None)
    assert Redactor().filter(record)
    assert TOKEN not in record.getMessage()
