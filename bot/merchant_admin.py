"""`chatshop merchant add|edit|list`: what each action does to the merchants and their settings.

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
from bot.shipping_admin import NO_RULES
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


async def merchant_command(
    settings: Settings, args: argparse.Namespace, out: TextIO | None = None
) -> int:
    out = out or sys.stdout  # read now: a default bound at import outlives a replaced stdout
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
        if args.action == "add":  # a new shop delivers nowhere: say what opens it to buyers
            print(f"merchant {args.slug}: " + NO_RULES.format(slug=args.slug), file=out)
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
