"""`chatshop merchant add|edit|list|invite|claim-code`: what each action does to the merchants
and their settings.

Payment secrets come from an environment variable, a file or a prompt (`read_secrets`), never
from the command line; they are stored sealed with `CHATSHOP_SECRET_KEY` and never printed:
`list` shows them as "set" or "not set". `add` prints the shop's one-time claim code.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import bootstrap
from bot.database import transaction
from bot.settings import ConfigurationError, Settings
from bot.shipping_admin import NO_RULES
from catalog.merchants import create_merchant, find_merchant
from catalog.models import Merchant
from merchants.secrets import SECRET_FIELDS, SecretBox, SecretKeyError
from merchants.settings import (
    SettingsError,
    Shop,
    change_settings,
    describe,
    set_payment,
    settings_of,
)
from merchants.signup import issue_claim_code, issue_invite
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
                for listed in merchants:
                    shop = Shop(listed, await settings_of(session, listed.id))
                    shown = describe(shop, await list_staff(session, merchant_id=listed.id))
                    print(json.dumps(shown, ensure_ascii=False) if args.json else _line(shown),
                          file=out)  # fmt: skip
                return 0
            if args.action == "invite":
                invite = await issue_invite(session)
                print(f"invite code (works once; in a group: /newshop {invite})", file=out)
                return 0
            merchant = await find_merchant(session, slug=args.slug)
            if args.action == "claim-code":
                if merchant is None:
                    raise ConfigurationError(
                        f"no merchant {args.slug!r}; `merchant list` shows them."
                    )
                claim = await issue_claim_code(session, merchant_id=merchant.id)
                print(_claim_line(args.slug, claim), file=out)
                return 0
            secrets = read_secrets(args)  # before any change: a missing file changes nothing
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
            await _apply(session, merchant, args, secrets, services.secrets)
            code: str | None = None
            if args.action == "add":
                code = await issue_claim_code(session, merchant_id=merchant.id)
        print(f"merchant {args.slug}: saved", file=out)
        if code is not None:
            print(_claim_line(args.slug, code), file=out)
        if args.action == "add":  # a new shop delivers nowhere: say what opens it to buyers
            print(f"merchant {args.slug}: " + NO_RULES.format(slug=args.slug), file=out)
        return 0
    finally:
        await engine.dispose()


def _claim_line(slug: str, code: str) -> str:
    return (f"claim code (works once; a group admin sends it in the shop's group): "
            f"/setup {slug} {code}")  # fmt: skip


def read_secrets(
    args: argparse.Namespace,
    *,
    environ: dict[str, str] | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
) -> dict[str, str]:
    """The payment secrets named by `--payment-secret-from-env/-file/-prompt`, by field."""
    environ = dict(os.environ) if environ is None else environ
    found: dict[str, str] = {}
    for item in getattr(args, "payment_secret_from_env", []):
        field, variable = _pair(item, "--payment-secret-from-env", "FIELD=VARIABLE")
        if not environ.get(variable):
            raise ConfigurationError(f"the environment variable {variable} is not set or empty.")
        found[_secret_field(field)] = environ[variable].strip()
    for item in getattr(args, "payment_secret_file", []):
        field, path = _pair(item, "--payment-secret-file", "FIELD=PATH")
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigurationError(f"cannot read {path}: {error.__class__.__name__}.") from None
        if not lines or not lines[0].strip():
            raise ConfigurationError(f"{path} is empty.")
        found[_secret_field(field)] = lines[0].strip()
    for field in getattr(args, "payment_secret_prompt", []):
        value = prompt(f"{_secret_field(field)}: ").strip()
        if not value:
            raise ConfigurationError(f"no {field} was typed.")
        found[field] = value
    return found


def _secret_field(field: str) -> str:
    if field not in SECRET_FIELDS:
        raise ConfigurationError(
            f"{field!r} is not a payment secret; those are {', '.join(sorted(SECRET_FIELDS))}."
        )
    return field


async def _apply(
    session: AsyncSession, merchant: Merchant, args: argparse.Namespace,
    secrets: dict[str, str], box: SecretBox | None,
) -> None:  # fmt: skip
    settings = await settings_of(session, merchant.id)
    try:
        change_settings(
            settings, language=args.language, fx_margin_percent=args.fx_margin,
            price_ending=args.price_ending, charge_currency=args.charge_currency,
            notify_chat_id=args.chat, digest_hour=args.digest_hour,
        )  # fmt: skip
        if args.payment_provider is not None or args.payment or secrets:
            values = dict(_pair(item, "--payment", "KEY=VALUE") for item in args.payment)
            if SECRET_FIELDS & set(values):
                raise ConfigurationError(
                    "secrets are not taken on the command line (ps and the shell history show "
                    "it); use --payment-secret-from-env, --payment-secret-file or "
                    "--payment-secret-prompt."
                )
            kind = args.payment_provider or settings.payment_provider
            set_payment(settings, kind, values | secrets, box)
    except SettingsError as error:
        raise ConfigurationError(str(error)) from None
    except SecretKeyError as error:
        raise ConfigurationError(f"{error}.") from None
    for user_id in args.staff:
        await add_staff(session, merchant_id=merchant.id, user_id=user_id)
    for user_id in getattr(args, "remove_staff", []):
        await remove_staff(session, merchant_id=merchant.id, user_id=user_id)


def _pair(item: str, option: str, shape: str) -> tuple[str, str]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise ConfigurationError(f"{option} takes {shape}.")
    return key.strip(), value


def _line(shown: dict[str, object]) -> str:
    return "  ".join(f"{key}={value}" for key, value in shown.items())
