"""Merchants' payment secrets: sealed at rest, opened only by the key, rotated, never on the
command line, and a clear sentence when the key is missing."""

from __future__ import annotations

import argparse
import asyncio
import io
from pathlib import Path

import pytest
from sqlalchemy import text, update

from bot.bootstrap import bootstrap
from bot.cli import _parser, main
from bot.database import SessionFactory, create_engine, session_factory, transaction
from bot.errors import ConfigurationError
from bot.merchant_admin import merchant_command, read_secrets
from bot.settings import load_settings
from catalog.merchants import create_merchant
from merchants.models import MerchantSettings
from merchants.secrets import SecretBox, SecretKeyError, new_key, seal_stored_secrets
from merchants.settings import payment_settings, set_payment, shop_by_slug
from tests.payments.factories import SECRET_KEY

API_KEY = "sk_live_merchant_Zq81xVv02"
WEBHOOK = "whsec_merchant_Pm4Kd7Wq"


async def _dump(sessions: SessionFactory) -> str:
    """Everything the database holds about merchants' settings, as text."""
    async with sessions() as session:
        rows = (await session.execute(text("SELECT * FROM merchant_settings"))).all()
    return repr(rows)


def test_a_secret_is_sealed_and_opened_and_keys_rotate() -> None:
    old = SecretBox.from_keys(SECRET_KEY)
    sealed = old.seal(API_KEY)
    assert sealed.startswith("fernet:") and API_KEY not in sealed
    assert old.open(sealed) == API_KEY

    newer = new_key()
    rotated_box = SecretBox.from_keys(f"{newer}, {SECRET_KEY}")  # new first, old still opens
    assert rotated_box.open(sealed) == API_KEY
    resealed = rotated_box.reseal(sealed)
    assert resealed != sealed and rotated_box.reseal(resealed) == resealed
    assert SecretBox.from_keys(newer).open(resealed) == API_KEY
    with pytest.raises(SecretKeyError, match="cannot decrypt"):
        old.open(resealed)
    with pytest.raises(SecretKeyError, match="key 2 is not a Fernet key"):
        SecretBox.from_keys(f"{newer},not-a-key")


async def test_the_database_holds_no_secret_in_clear_text(sessions: SessionFactory) -> None:
    box = SecretBox.from_keys(SECRET_KEY)
    async with transaction(sessions) as session:
        await create_merchant(session, slug="mugs", currency="EUR")
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        set_payment(shop.settings, "stripe",
                    {"stripe_api_key": API_KEY, "stripe_webhook_secret": WEBHOOK}, box)  # fmt: skip
    dump = await _dump(sessions)
    assert "fernet:" in dump
    assert API_KEY not in dump and WEBHOOK not in dump
    async with sessions() as session:
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        opened = payment_settings(shop, box)
        with pytest.raises(SecretKeyError):
            payment_settings(shop, None)
    assert opened is not None and (opened.stripe_api_key, opened.stripe_webhook_secret) == (
        API_KEY, WEBHOOK,
    )  # fmt: skip


async def test_no_secret_is_stored_without_a_key(sessions: SessionFactory) -> None:
    async with transaction(sessions) as session:
        await create_merchant(session, slug="mugs", currency="EUR")
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        with pytest.raises(SecretKeyError, match="CHATSHOP_SECRET_KEY is not set"):
            set_payment(shop.settings, "stripe", {"stripe_api_key": API_KEY}, None)
        set_payment(shop.settings, "sandbox", {}, None)  # no secret, no key needed


async def test_plain_secrets_of_an_older_version_are_sealed_at_start(
    sessions: SessionFactory,
) -> None:
    async with transaction(sessions) as session:
        merchant = await create_merchant(session, slug="mugs", currency="EUR")
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        await session.execute(
            update(MerchantSettings)
            .where(MerchantSettings.merchant_id == merchant.id)
            .values(payment_provider="payment_link",
                    payment_config={"url_template": "https://pay.example/{order}",
                                    "callback_secret": "legacy-plain-secret-0001"})
        )  # fmt: skip
    async with transaction(sessions) as session:
        with pytest.raises(SecretKeyError, match="CHATSHOP_SECRET_KEY is not set"):
            await seal_stored_secrets(session, None)
    box = SecretBox.from_keys(SECRET_KEY)
    async with transaction(sessions) as session:
        assert await seal_stored_secrets(session, box) == 1
    async with transaction(sessions) as session:
        assert await seal_stored_secrets(session, box) == 0  # nothing to do the second time
        with pytest.raises(SecretKeyError, match="cannot decrypt"):
            await seal_stored_secrets(session, SecretBox.from_keys(new_key()))
    dump = await _dump(sessions)
    assert "legacy-plain-secret-0001" not in dump and "https://pay.example/{order}" in dump
    async with sessions() as session:
        shop = await shop_by_slug(session, "mugs")
        assert shop is not None
        opened = payment_settings(shop, box)
    assert opened is not None and opened.callback_secret == "legacy-plain-secret-0001"


# --- the command line -------------------------------------------------------------------------


def _args(*words: str) -> argparse.Namespace:
    return _parser().parse_args(list(words))


def test_secrets_come_from_the_environment_a_file_or_a_prompt(tmp_path: Path) -> None:
    secret_file = tmp_path / "whsec"
    secret_file.write_text(WEBHOOK + "\n", encoding="utf-8")
    asked: list[str] = []

    def prompt(question: str) -> str:
        asked.append(question)
        return "typed-callback-secret "

    args = _args(
        "merchant", "edit", "mugs", "--payment-secret-from-env", "stripe_api_key=SHOP_KEY",
        "--payment-secret-file", f"stripe_webhook_secret={secret_file}",
        "--payment-secret-prompt", "callback_secret",
    )  # fmt: skip
    found = read_secrets(args, environ={"SHOP_KEY": API_KEY}, prompt=prompt)
    assert found == {"stripe_api_key": API_KEY, "stripe_webhook_secret": WEBHOOK,
                     "callback_secret": "typed-callback-secret"}  # fmt: skip
    assert asked == ["callback_secret: "]
    with pytest.raises(ConfigurationError, match="SHOP_KEY is not set"):
        read_secrets(args, environ={}, prompt=prompt)
    with pytest.raises(ConfigurationError, match="not a payment secret"):
        read_secrets(_args("merchant", "edit", "mugs", "--payment-secret-prompt", "url_template"))


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for name in ("CHATSHOP_DATABASE_URL", "CHATSHOP_SECRET_KEY", "CHATSHOP_SIGNUP"):
        monkeypatch.delenv(name, raising=False)
    return f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite'}"


async def test_the_cli_seals_secrets_prints_a_claim_code_and_never_echoes(
    cli_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = load_settings(database_url=cli_database, secret_key=SECRET_KEY)
    out = io.StringIO()
    monkeypatch.setenv("SHOP_STRIPE_KEY", API_KEY)
    monkeypatch.setenv("SHOP_STRIPE_WHSEC", WEBHOOK)
    added = _args(
        "merchant", "add", "mugs", "--currency", "EUR", "--payment-provider", "stripe",
        "--payment-secret-from-env", "stripe_api_key=SHOP_STRIPE_KEY",
        "--payment-secret-from-env", "stripe_webhook_secret=SHOP_STRIPE_WHSEC",
    )  # fmt: skip
    assert await merchant_command(settings, added, out) == 0
    assert await merchant_command(settings, _args("merchant", "list"), out) == 0
    printed = out.getvalue()
    assert "/setup mugs " in printed and "stripe_api_key=" not in printed
    assert "'stripe_api_key': 'set'" in printed and API_KEY not in printed

    on_command_line = _args("merchant", "edit", "mugs", "--payment", f"stripe_api_key={API_KEY}")
    with pytest.raises(ConfigurationError, match="not taken on the command line") as refused:
        await merchant_command(settings, on_command_line, out)
    assert API_KEY not in str(refused.value)

    services, engine = await bootstrap(settings)
    try:
        dump = await _dump(services.sessions)
    finally:
        await engine.dispose()
    assert API_KEY not in dump and WEBHOOK not in dump

    # The same database without the key: one sentence, before anything else happens.
    with pytest.raises(ConfigurationError) as missing:
        await bootstrap(load_settings(database_url=cli_database))
    assert str(missing.value).startswith("CHATSHOP_SECRET_KEY is not set")
    assert str(missing.value).count(". ") == 0 and str(missing.value).endswith(".")


def test_db_upgrade_seals_what_an_older_version_stored_plain(
    cli_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def store_plain() -> str:
        services, engine = await bootstrap(load_settings(database_url=cli_database))
        try:
            async with transaction(services.sessions) as session:
                merchant = await create_merchant(session, slug="mugs", currency="EUR")
                plain = {"stripe_api_key": API_KEY}
                session.add(MerchantSettings(merchant_id=merchant.id, payment_provider="stripe",
                                             payment_config=plain))  # fmt: skip
            return await _dump(services.sessions)
        finally:
            await engine.dispose()

    async def dump() -> str:  # read as it is: opening it through bootstrap would seal it
        engine = create_engine(cli_database)
        try:
            return await _dump(session_factory(engine))
        finally:
            await engine.dispose()

    assert API_KEY in asyncio.run(store_plain())  # what an older version left behind
    monkeypatch.setenv("CHATSHOP_DATABASE_URL", cli_database)
    monkeypatch.setenv("CHATSHOP_SECRET_KEY", SECRET_KEY)
    assert main(["db", "upgrade"]) == 0
    sealed = asyncio.run(dump())
    assert API_KEY not in sealed and "fernet:" in sealed
