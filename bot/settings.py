"""Settings from `CHATSHOP_*` environment variables and an optional `.env` file."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import ConfigurationError as ConfigurationError  # re-exported for callers
from db.leases import WORKER_NAME_PATTERN
from money import UnknownCurrency, normalise_code

TOKEN_PATTERN = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")
# A token the local stand-in accepts; never valid at Telegram.
DEMO_TOKEN = "123456:chatshop-demo-token-not-for-telegram"


def _currency(value: str) -> str:
    try:
        return normalise_code(value)
    except UnknownCurrency:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code such as USD or EUR") from None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CHATSHOP_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    telegram_token: str | None = Field(default=None, description="Bot token from @BotFather")
    telegram_api_url: str = Field(
        default="https://api.telegram.org", description="Base address of the Bot API server"
    )
    data_dir: Path = Field(default=Path("data"), description="Where the embedded database lives")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy async URL; default: SQLite in the data directory"
    )
    default_language: str = "en"
    default_currency: Annotated[str, AfterValidator(_currency)] = "USD"
    fx_max_age_hours: int = Field(default=72, ge=1)
    # `chatshop serve` (webhook mode): the https address Telegram and payment providers reach.
    public_url: str | None = Field(default=None, description="Public base URL of the web server")
    # Telegram echoes it in X-Telegram-Bot-Api-Secret-Token; 1-256 of A-Z a-z 0-9 _ -.
    webhook_secret: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$")
    # Where uvicorn listens (a reverse proxy terminates TLS in front of it).
    web_host: str = "127.0.0.1"
    # uvicorn's port.
    web_port: int = Field(default=8080, ge=1, le=65535)
    # Signs sandbox checkout tokens and events; the sandbox provider is off while it is unset.
    sandbox_secret: str | None = Field(default=None, min_length=16)
    # The platform's Stripe account (serves every merchant); Stripe is off while unset.
    stripe_api_key: str | None = None
    # Stripe's webhook signing secret (whsec_...) for /payments/stripe/<merchant>.
    stripe_webhook_secret: str | None = None
    # Points the Stripe SDK at another API address (a stand-in for the demo and tests).
    stripe_api_base: str | None = None
    # How long a placed, unpaid order holds its stock before it expires.
    order_reservation_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    fx_rates_url: str = Field(
        default="https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml",
        description="The ECB daily reference rates feed (XML)",
    )
    fx_refresh_hours: int = Field(default=6, ge=0, description="How often to fetch rates; 0: never")
    # Encrypts merchants' payment secrets at rest: Fernet keys, comma-separated, newest first.
    secret_key: str | None = Field(default=None, repr=False)
    # Who may open a shop with /newshop: anyone (open), holders of an invite code, or nobody.
    signup: Literal["open", "invite", "closed"] = "invite"
    # This worker's name, stable across its restarts (web-1, a systemd instance, a StatefulSet
    # pod); two live workers must never share one. Restarted, it releases at once the rows its
    # dead previous process still held, instead of waiting for their leases to run out.
    worker_name: str | None = Field(default=None, pattern=WORKER_NAME_PATTERN)

    @field_validator("telegram_token")
    @classmethod
    def _token_shape(cls, value: str | None) -> str | None:
        if value is not None and not TOKEN_PATTERN.match(value.strip()):
            raise ValueError("a bot token looks like 123456789:AAE..., as @BotFather gives it")
        return value.strip() if value else None

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("it must be an http(s) address such as https://api.telegram.org")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value and not re.match(r"^(sqlite\+aiosqlite|postgresql\+asyncpg)://", value):
            raise ValueError("use sqlite+aiosqlite:///path.db or postgresql+asyncpg://user@host/db")
        return value or None

    @field_validator("worker_name", mode="before")
    @classmethod
    def _worker_name(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value  # blank: unset

    @field_validator("secret_key")
    @classmethod
    def _secret_key(cls, value: str | None) -> str | None:
        keys = [part.strip() for part in (value or "").split(",") if part.strip()]
        for number, key in enumerate(keys, 1):
            try:
                valid = len(base64.urlsafe_b64decode(key.encode())) == 32
            except (binascii.Error, ValueError):
                valid = False
            if not valid:
                raise ValueError(
                    f"key {number} is not a Fernet key; `chatshop merchant new-secret-key` "
                    "prints one"
                )
        return ",".join(keys) or None

    @field_validator("public_url")
    @classmethod
    def _public_url(cls, value: str | None) -> str | None:
        if value and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("it must be an http(s) address such as https://shop.example.com")
        return value.rstrip("/") if value else None

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'chatshop.sqlite'}"

    @property
    def web_base_url(self) -> str:
        """Where buyers and providers reach our web server: the public URL, else the local one."""
        return self.public_url or f"http://{self.web_host}:{self.web_port}"

    @property
    def order_reservation(self) -> timedelta:
        return timedelta(minutes=self.order_reservation_minutes)

    @property
    def fx_max_age(self) -> timedelta:
        return timedelta(hours=self.fx_max_age_hours)


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment; a bad value becomes one sentence naming its variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # validated here, see below
    except ValidationError as error:
        first = error.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        reason = first["msg"].removeprefix("Value error, ")
        raise ConfigurationError(f"CHATSHOP_{field.upper()} is invalid: {reason}.") from None
