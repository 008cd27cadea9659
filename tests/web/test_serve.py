"""`chatshop serve` refuses to start without the settings webhook mode needs."""

from __future__ import annotations

from typing import TypedDict

import pytest

from bot.serve import webhook_settings
from bot.settings import ConfigurationError, Settings

TOKEN = "123456:abcdefghijklmnopqrstuvwxyz"


class _Values(TypedDict, total=False):
    telegram_token: str
    public_url: str


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({}, "CHATSHOP_TELEGRAM_TOKEN"),
        ({"telegram_token": TOKEN}, "CHATSHOP_PUBLIC_URL"),
        (
            {"telegram_token": TOKEN, "public_url": "https://shop.example"},
            "CHATSHOP_WEBHOOK_SECRET",
        ),
    ],
)
def test_missing_settings_are_named(values: _Values, named: str) -> None:
    settings = Settings(_env_file=None, **values)

    with pytest.raises(ConfigurationError, match=named):
        webhook_settings(settings)


def test_complete_settings_are_returned() -> None:
    settings = Settings(
        _env_file=None,
        telegram_token=TOKEN,
        public_url="https://shop.example/",
        webhook_secret="s3cret_-",
    )

    assert webhook_settings(settings) == (TOKEN, "https://shop.example", "s3cret_-")
