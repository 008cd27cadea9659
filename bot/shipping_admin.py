"""`chatshop merchant shipping add|list|remove|export|import`: a merchant's shipping zones.

The operator's words are read by the same parser as the shop chat's `/shipping`
(`merchants.shipping`), so both accept and refuse the same things.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession

from bot.bootstrap import bootstrap
from bot.database import transaction
from bot.errors import ConfigurationError
from bot.settings import Settings
from catalog.merchants import find_merchant
from catalog.models import Merchant
from merchants import shipping
from merchants.shipping import Problem, ShippingFileError, ShippingRefused, weight_words
from money import Money
from orders.shipping import Zone

_PROBLEMS = {
    Problem.NO_COUNTRIES: "name at least one country (ISO codes like DE,FR or * for the rest)",
    Problem.BAD_COUNTRY: "{value!r} is not an ISO country code (DE, FR, US...) or *",
    Problem.NO_PRICE: "give the delivery price, e.g. --price 4.90",
    Problem.BAD_PRICE: "{value!r} is not a price in {currency}, e.g. 4.90",
    Problem.BAD_DAYS: "{value!r} is not a number of days, e.g. 3-5",
    Problem.BAD_TIER: "{value!r} is not an item tier: N:PRICE from 2 items, e.g. 3:6.90",
    Problem.BAD_WEIGHT_TIER: "{value!r} is not a weight tier: WEIGHT=PRICE, e.g. 2kg=4.90 "
    "(kg, g, lb or oz; each weight once)",
    Problem.MIXED_TIERS: "weight tiers are the zone's whole price list: give them without "
    "--price and without --items",
    Problem.UNKNOWN_WORD: "{value!r} is not understood here",
    Problem.NOT_SET: "no rule for {value}; `merchant shipping list` shows them",
}

NO_RULES = (
    "no shipping rules: buyers cannot order from this shop until one is added, e.g. "
    "`chatshop merchant shipping add {slug} --to '*' --price 9.90 --days 5-10`"
)


def problem_text(error: ShippingRefused, currency: str) -> str:
    return _PROBLEMS[error.problem].format(value=error.value, currency=currency)


def zone_line(zone: Zone, currency: str) -> str:
    """ "DE FR AT: 4.90 EUR, free from 60.00 EUR, 3-5 days, from 3 items 6.90 EUR"."""

    def money(minor: int) -> str:
        return str(Money.from_minor(minor, currency))

    terms = zone.terms
    parts = [] if terms.weight_tiers else [money(terms.rate_minor)]
    parts += [f"up to {weight_words(tier.max_grams)} {money(tier.rate_minor)}"
              for tier in terms.weight_tiers]  # fmt: skip
    if terms.free_above_minor is not None:
        parts.append(f"free from {money(terms.free_above_minor)}")
    if terms.days is not None:
        parts.append(f"{terms.days[0]}-{terms.days[1]} days")
    parts += [f"from {tier.min_items} items {money(tier.rate_minor)}" for tier in terms.item_tiers]
    return f"{' '.join(zone.countries)}: " + ", ".join(parts)


async def shipping_command(
    settings: Settings, args: argparse.Namespace, out: TextIO | None = None
) -> int:
    out = out or sys.stdout  # read now: a default bound at import outlives a replaced stdout
    services, engine = await bootstrap(settings)
    try:
        async with transaction(services.sessions) as session:
            merchant = await merchant_named(session, args.slug)
            currency, action = merchant.currency, args.shipping_action
            try:
                if action == "add":
                    zone = shipping.parse_zone(_zone_words(args), currency=currency)
                    await shipping.add_zone(session, merchant_id=merchant.id, zone=zone)
                elif action == "remove":
                    countries = None if args.all else shipping.parse_countries(args.to)
                    removed = await shipping.remove_zone(
                        session, merchant_id=merchant.id, countries=countries
                    )
                    print(f"removed: {' '.join(removed)}", file=out)
                elif action == "import":
                    text = await asyncio.to_thread(_read, args.file)
                    await shipping.import_csv(
                        session, merchant_id=merchant.id, currency=currency, text=text
                    )
            except ShippingRefused as error:
                raise ConfigurationError(problem_text(error, currency)) from None
            except ShippingFileError as error:
                lines = [f"line {n}: {problem_text(e, currency)}" for n, e in error.problems]
                raise ConfigurationError(
                    f"{args.file}: nothing imported\n  " + "\n  ".join(lines)
                ) from None
            except OSError as error:
                raise ConfigurationError(f"cannot read {args.file}: {error.strerror}") from None
            found = await shipping.shipping_zones(session, merchant_id=merchant.id)
        if action == "export":
            _write(shipping.export_csv(found, currency=currency), args.output, out)
            return 0
        if not found:
            print(f"merchant {args.slug}: " + NO_RULES.format(slug=args.slug), file=out)
            return 0 if action in ("list", "remove") else 1
        for each in found:
            print(zone_line(each, currency), file=out)
        return 0
    finally:
        await engine.dispose()


async def merchant_named(session: AsyncSession, slug: str) -> Merchant:
    """The merchant with this slug, or the operator is told there is none."""
    merchant = await find_merchant(session, slug=slug)
    if merchant is None:
        raise ConfigurationError(f"no merchant {slug!r}; `merchant list` shows them.")
    return merchant


def _zone_words(args: argparse.Namespace) -> str:
    words = ["--to", args.to]
    if args.price:
        words += ["--price", args.price]
    for tier in args.tier:
        words += ["--weight", tier]
    if args.free_from:
        words += ["--free-from", args.free_from]
    if args.days:
        words += ["--days", args.days]
    for tier in args.items:
        words += ["--items", tier]
    return " ".join(words)


def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8-sig")


def _write(text: str, path: str | None, out: TextIO) -> None:
    if path is None:
        out.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write {path}: {error.strerror}") from None
