"""Telegram's webhook: the secret header is required, and a good update reaches the bot."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from tests.web.conftest import TELEGRAM_SECRET, Harness

UPDATE = {
    "update_id": 91,
    "message": {
        "message_id": 5,
        "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "Ana"},
        "text": "red mug",
    },
}


async def _until(condition: Callable[[], object], seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met")


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", TELEGRAM_SECRET + "x"])
async def test_missing_or_wrong_secret_is_forbidden(harness: Harness, secret: str | None) -> None:
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}

    response = await harness.client.post("/telegram/webhook", json=UPDATE, headers=headers)

    assert response.status_code == 403
    await asyncio.sleep(0.05)
    assert harness.seen_updates == []


async def test_update_with_the_secret_reaches_the_application(harness: Harness) -> None:
    response = await harness.client.post(
        "/telegram/webhook",
        json=UPDATE,
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )

    assert response.status_code == 200
    await _until(lambda: harness.seen_updates)
    (update,) = harness.seen_updates
    assert update.update_id == 91
    assert update.effective_message is not None
    assert update.effective_message.text == "red mug"


async def test_unreadable_body_is_refused(harness: Harness) -> None:
    response = await harness.client.post(
        "/telegram/webhook",
        content=b"not json",
        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
    )

    assert response.status_code == 400


async def test_health_reports_the_database(harness: Harness) -> None:
    response = await harness.client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"database": "ok"}
