"""`chatshop merchant add|edit|list`: the operator's view of merchants and their settings.

Payment secrets can be given (`--payment stripe_api_key=sk_...`) but are never printed: `list`
shows them as "set" or "not set".
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import bootstrap
from bot.database import transaction
from bot.settings import ConfigurationError, Settings
from catalog.merchants import create_merchant, find_merchant
from catalog.models import Merchant
from merchants.settings import (
    SettingsError,
    Shop,
    change_settings,
    describe,
    set_payment,
    settings_of,
)
from merchants.staff import add_staff, list_staff, remove_staff
from money import UnknownCurrency


def add_arguments(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Adds `merchant add|edit|list` to the `chatshop` command."""
    merchant = commands.add_parser("merchant", help="merchants and their settings")
    actions = merchant.add_subparsers(required=True, metavar="ACTION")
    add = actions.add_parser("add", help="a new merchant")
    add.add_argument("slug", help="short id, e.g. demo-us")
    add.add_argument("--currency", required=True, help="base currency, e.g. USD")
    add.add_argument("--name", help="shop name (default: the slug)")
    _settings_arguments(add)
    add.set_defaults(run=_run, action="add")
    edit = actions.add_parser("edit", help="change a merchant's settings")
    edit.add_argument("slug")
    edit.add_argument("--name")
    _settings_arguments(edit)
    edit.add_argument("--remove-staff", type=int, action="append", default=[], metavar="USER_ID")
    edit.set_defaults(run=_run, action="edit")
    listing = actions.add_parser("list", help="every merchant with its settings (no secrets)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(run=_run, action="list")


def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--language", help="language of order notices, e.g. de")
    parser.add_argument("--chat", type=int, help="Telegram chat id for order notices")
    parser.add_argument(
        "--staff", type=int, action="append", default=[], metavar="USER_ID",
        help="a Telegram user id allowed to act on orders (repeatable)",
    )  # fmt: skip
    parser.add_argument("--fx-margin", help="percent added to the exchange rate, e.g. 2.5")
    parser.add_argument("--price-ending", choices=["99", "whole", "none"])
    parser.add_argument("--charge-currency", choices=["buyer", "merchant"])
    parser.add_argument(
        "--digest-hour", type=int, metavar="HOUR", help="daily summary from this hour, 0-23 UTC"
    )
    parser.add_argument("--payment-provider", help="stripe, payment_link, sandbox or none")
    parser.add_argument("--payment", action="append", default=[], metavar="KEY=VALUE",
                        help="a payment setting, e.g. url_template=... (repeatable)")  # fmt: skip


async def _run(args: argparse.Namespace) -> int:
    from bot.settings import load_settings

    return await merchant_command(load_settings(), args)


async def merchant_command(
    settings: Settings, args: argparse.Namespace, out: TextIO = sys.stdout
) -> int:
    services, engine = await bootstrap(settings)
    try:
        async with transaction(services.sessions) as session:
            if args.action == "list":
                merchants = await session.scalars(select(Merchant).order_by(Merchant.slug))
                for merchant in merchants:
                    shop = Shop(merchant, await settings_of(session, merchant.id))
                    shown = describe(shop, await list_staff(session, merchant_id=merchant.id))
                    print(json.dumps(shown, ensure_ascii=False) if args.json else _line(shown),
                          file=out)  # fmt: skip
                return 0
            merchant = await find_merchant(session, slug=args.slug)
            if args.action == "add":
                if merchant is not None:
                    raise ConfigurationError(f"merchant {args.slug!r} exists; use `edit`.")
                try:
                    merchant = await create_merchant(
                        session, slug=args.slug, currency=args.currency, name=args.name,
                        language=args.language or "en",
                    )  # fmt: skip
                except (ValueError, UnknownCurrency) as error:
                    raise ConfigurationError(str(error)) from None
            elif merchant is None:
                raise ConfigurationError(f"no merchant {args.slug!r}; `merchant list` shows them.")
            elif args.name:
                merchant.name = args.name
            await _apply(session, merchant, args)
        print(f"merchant {args.slug}: saved", file=out)
        return 0
    finally:
        await engine.dispose()


async def _apply(session: AsyncSession, merchant: Merchant, args: argparse.Namespace) -> None:
    settings = await settings_of(session, merchant.id)
    try:
        change_settings(
            settings, language=args.language, fx_margin_percent=args.fx_margin,
            price_ending=args.price_ending, charge_currency=args.charge_currency,
            notify_chat_id=args.chat, digest_hour=args.digest_hour,
        )  # fmt: skip
        if args.payment_provider is not None or args.payment:
            values = dict(_pair(item) for item in args.payment)
            kind = args.payment_provider or settings.payment_provider
            set_payment(settings, kind, values)
    except SettingsError as error:
        raise ConfigurationError(str(error)) from None
    for user_id in args.staff:
        await add_staff(session, merchant_id=merchant.id, user_id=user_id)
    for user_id in getattr(args, "remove_staff", []):
        await remove_staff(session, merchant_id=merchant.id, user_id=user_id)


def _pair(item: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise ConfigurationError(f"--payment takes KEY=VALUE, not {item!r}")
    return key.strip(), value


def _line(shown: dict[str, object]) -> str:
    return "  ".join(f"{key}={value}" for key, value in shown.items())
