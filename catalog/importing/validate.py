"""Checks that need more than one row: duplicates in the file, currencies, prices, taken SKUs.

Row-level checks happen while parsing (`rows.py`); what is here looks across products, or at
what the database already holds (loaded by the caller and passed in, so this stays pure). Every
finding is attached to the product it concerns, so "skip bad rows" can drop exactly that product.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import NoReturn

from catalog.importing.problems import ImportProblem, ImportRejected
from catalog.importing.rows import ParsedProduct
from money import Money, exponent


def check_duplicates(products: Iterable[ParsedProduct], *, options_given: bool) -> None:
    """A SKU used twice for one merchant, or two variants of a product with the same options.

    Shopify lets a store give two variants one SKU, and exports them so; a SKU here must be
    unique, so the later variant is imported without it (a warning; re-imports match it by its
    options). Variants are told apart by their options only when the file has option columns;
    without them (a price update by SKU, say) there is nothing to compare.
    """
    first_sku_line: dict[tuple[str, str], int] = {}
    for product in products:
        if product.draft is None:
            continue
        first_combo_line: dict[tuple[str, ...], int] = {}
        variants = list(product.draft.variants)
        for index, variant in enumerate(product.draft.variants):
            if variant.sku:
                key = (product.merchant, variant.sku)
                if key in first_sku_line:
                    variants[index] = replace(variant, sku=None)
                    product.fail(
                        _problem(
                            "duplicate_sku",
                            variant.line,
                            sku=variant.sku,
                            first_line=first_sku_line[key],
                        )
                    )
                first_sku_line.setdefault(key, variant.line)
            if options_given:
                combo = tuple(value.casefold() for value in variant.option_values)
                if combo in first_combo_line:
                    product.fail(
                        _problem(
                            "duplicate_variant",
                            variant.line,
                            handle=product.handle,
                            options=" / ".join(variant.option_values) or "-",
                            first_line=first_combo_line[combo],
                        )
                    )
                first_combo_line.setdefault(combo, variant.line)
        if variants != list(product.draft.variants):
            product.draft = replace(product.draft, variants=tuple(variants))


def resolve_currencies(
    products: Sequence[ParsedProduct],
    *,
    given: str | None,
    existing: Mapping[str, str],
) -> dict[str, str]:
    """Each merchant's currency: its own if it exists, else the one the file or `--currency` names.

    A file cannot convert prices, so a declared currency that differs from the merchant's is
    refused rather than imported as if it were the merchant's (19.99 EUR sold as 19.99 JPY).
    These are problems of the whole import, not of a row: they reject it.
    """
    declared: dict[str, set[str]] = defaultdict(lambda: {given} if given else set())
    for product in products:
        if product.draft is not None and product.draft.currency:
            declared[product.merchant].add(product.draft.currency)
    currencies: dict[str, str] = {}
    for merchant in dict.fromkeys(product.merchant for product in products if product.merchant):
        named = declared[merchant]
        if len(named) > 1:
            _reject("currency_conflict", merchant=merchant, currencies=", ".join(sorted(named)))
        if merchant in existing:
            if named and named != {existing[merchant]}:
                _reject(
                    "currency_mismatch",
                    merchant=merchant,
                    expected=existing[merchant],
                    given=next(iter(named)),
                )
            currencies[merchant] = existing[merchant]
        elif named:
            currencies[merchant] = next(iter(named))
        else:
            _reject("currency_required", merchant=merchant)
    return currencies


def check_prices(products: Iterable[ParsedProduct], currencies: Mapping[str, str]) -> None:
    """Prices with more decimals than the merchant's currency has (19.999 USD, 5.5 JPY)."""
    for product in products:
        if product.draft is None:
            continue
        currency = currencies[product.merchant]
        for variant in product.draft.variants:
            for price in (variant.price, variant.compare_at_price):
                if price is not None and not _fits(price, currency):
                    product.fail(
                        _problem(
                            "price_precision",
                            variant.line,
                            value=str(price),
                            currency=currency,
                            digits=exponent(currency),
                        )
                    )


def check_taken_skus(
    products: Sequence[ParsedProduct], owners: Mapping[tuple[str, str], str]
) -> None:
    """A SKU the merchant already uses on a product this import does not update.

    `owners` maps (merchant, sku) to the handle of the product holding it in the database. When
    that product is imported too, the file moves the SKU to its new product, which is allowed.
    Repeated until nothing changes: a product failing here may be another's SKU's owner.
    """
    changed = True
    while changed:
        changed = False
        imported = {(product.merchant, product.handle) for product in products if product.ok}
        for product in products:
            if not product.ok:
                continue
            assert product.draft is not None
            for variant in product.draft.variants:
                owner = owners.get((product.merchant, variant.sku)) if variant.sku else None
                if owner and owner != product.handle and (product.merchant, owner) not in imported:
                    product.fail(
                        _problem("sku_taken", variant.line, sku=variant.sku or "", handle=owner)
                    )
                    changed = True


def _fits(price: Decimal, currency: str) -> bool:
    try:
        Money(price, currency).to_minor()
    except ValueError:
        return False
    return True


def _problem(code: str, line: int, **params: str | int) -> ImportProblem:
    return ImportProblem(code, line=line, params=params)


def _reject(code: str, **params: str | int) -> NoReturn:
    raise ImportRejected(ImportProblem(code, params=params))
