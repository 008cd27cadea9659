"""Shopify's translation export (Settings → Languages → Export, the file Translate & Adapt edits):
titles, descriptions, option names and option values a live store has already translated.

The file is long, one row per resource, field and language:

    Type,Identification,Field,Locale,Market,Status,Default content,Translated content
    PRODUCT,'8812345678901,handle,de,,,wool-beanie,wollmuetze
    PRODUCT,'8812345678901,title,de,,,Wool beanie,Wollmütze
    PRODUCT_OPTION,'1055,name,de,,,Colour,Farbe
    PRODUCT_OPTION_VALUE,'2093,name,de,,,Black,Schwarz

Shopify's ids are not in its product export, so rows are matched through their default content:
a product by its `handle` row (else by its title, when only one product has it); an option name
or value by the words the merchant wrote, on every product of the shop that has them (older
exports translate values as PRODUCT_VARIANT `option1`..`option3` rows instead). Rows for one
market only are left out (buyers get their language whatever the market), as are rows without a
translation and fields buyers never see here (SEO, handles, other resources). Nothing else of the
catalog changes; a product in no row keeps its translations.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from catalog.exporting import UnknownMerchant
from catalog.importing.cells import clean_line
from catalog.importing.html_text import html_to_text
from catalog.importing.problems import ImportProblem, ImportRejected
from catalog.importing.reader import decode, read_bytes, read_records
from catalog.models import Merchant, Product, ProductTranslation
from catalog.version import bump_catalog_version

HEADER: Final = ("type", "identification", "field", "locale", "default content",
                 "translated content")  # fmt: skip
MAX_BYTES: Final = 50 * 1024 * 1024
MAX_ROWS: Final = 500_000  # long format: a row per field and language
_LOCALE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*$")
_VARIANT_OPTION = re.compile(r"^option([123])$")


@dataclass(frozen=True, slots=True)
class TranslationRow:
    kind: str  # PRODUCT, PRODUCT_OPTION, PRODUCT_OPTION_VALUE, PRODUCT_VARIANT, ...
    identification: str
    field: str
    locale: str  # lower case, as stored: "de", "pt-br", "zh-cn"
    market: str
    default: str
    translated: str
    line: int


@dataclass(slots=True)
class TranslationReport:
    """What an import of the translation export changed, for the merchant to read."""

    merchant: str
    languages: tuple[str, ...] = ()
    products: int = 0  # products whose translations changed
    titles: int = 0  # titles and descriptions set or changed
    option_names: int = 0
    option_values: int = 0
    market_rows: int = 0  # left out: for one market only
    unmatched: list[str] = field(default_factory=list)  # products of the file not in the shop


def is_translation_export(data: bytes) -> bool:
    """Whether `data` starts like Shopify's translation export (its header), not a product file."""
    try:
        text = decode(data)
    except ImportRejected:
        return False
    first = next(iter(text.splitlines()), "")
    names = {clean_line(name).strip('"').casefold() for name in first.split(",")}
    return all(wanted in names for wanted in HEADER)


def read_translation_export(data: bytes) -> list[TranslationRow]:
    """The rows of a Shopify translation export; `ImportRejected` if it is not one."""
    text = decode(read_bytes(data, max_bytes=MAX_BYTES))
    header, records = read_records(text, max_rows=MAX_ROWS)
    names = [clean_line(cell).casefold() for cell in header]
    if not all(wanted in names for wanted in HEADER):
        columns = "Type, Identification, Field, Locale, Default content, Translated content"
        raise ImportRejected(ImportProblem("not_translation_export", params={"columns": columns}))
    at = {name: names.index(name) for name in (*HEADER, "market")}
    rows = []
    for record in records:
        cells = [*record.cells, *[""] * len(names)]

        def cell(name: str, cells: list[str] = cells) -> str:
            return cells[at[name]].strip() if name in at else ""

        rows.append(
            TranslationRow(
                kind=cell("type").upper(),
                identification=cell("identification").lstrip("'"),
                field=cell("field").lower(),
                locale=cell("locale").lower().replace("_", "-"),
                market=cell("market") if "market" in names else "",
                default=cell("default content"),
                translated=cell("translated content"),
                line=record.line,
            )
        )
    return rows


async def import_translation_export(
    session: AsyncSession, data: bytes, *, merchant_slug: str
) -> TranslationReport:
    """Applies the export's product, option name and option value translations to the shop."""
    rows = read_translation_export(data)
    merchant = await session.scalar(select(Merchant).where(Merchant.slug == merchant_slug))
    if merchant is None:
        raise UnknownMerchant(merchant_slug)
    products = list(
        await session.scalars(
            select(Product)
            .where(Product.merchant_id == merchant.id)
            .order_by(Product.id)
            .options(selectinload(Product.translations), selectinload(Product.variants))
        )
    )
    report = TranslationReport(merchant_slug)
    wanted = [row for row in rows if row.translated and _LOCALE.match(row.locale)]
    report.market_rows = sum(1 for row in wanted if row.market)
    wanted = [row for row in wanted if not row.market]
    report.languages = tuple(sorted({row.locale for row in wanted}))
    writer = _Writer(report)
    _products(rows, wanted, products, writer)
    _options(wanted, products, writer)
    if writer.changed:
        await session.flush()
        version = await bump_catalog_version(session)
        for product in writer.changed:
            product.version = version
        await session.flush()
    report.products = len(writer.changed)
    return report


class _Writer:
    """Sets one product's translated words, counting only what really changed."""

    def __init__(self, report: TranslationReport) -> None:
        self.report = report
        self.changed: dict[Product, None] = {}

    def translation(self, product: Product, locale: str) -> ProductTranslation:
        for stored in product.translations:
            if stored.language.replace("_", "-").lower() == locale:
                return stored
        created = ProductTranslation(language=locale)
        product.translations.append(created)
        return created

    def set(self, product: Product, locale: str, name: str, value: object) -> bool:
        stored = self.translation(product, locale)
        if getattr(stored, name) == value:
            return False
        setattr(stored, name, value)  # a new object: JSON columns see the change
        self.changed[product] = None
        return True


def _products(
    rows: list[TranslationRow],
    wanted: list[TranslationRow],
    products: list[Product],
    writer: _Writer,
) -> None:
    by_handle = {product.handle: product for product in products}
    titles: dict[str, list[Product]] = {}
    for product in products:
        titles.setdefault(product.title, []).append(product)
    # Shopify's id → our product, through the row that says the product's handle (any locale).
    found: dict[str, Product | None] = {}
    for row in rows:
        if row.kind == "PRODUCT" and row.field == "handle" and row.default:
            found.setdefault(row.identification, by_handle.get(row.default))
    for row in rows:
        if row.kind == "PRODUCT" and row.field == "title" and found.get(row.identification) is None:
            same = titles.get(row.default, [])
            found[row.identification] = same[0] if len(same) == 1 else None
    matched = {ident for ident, match in found.items() if match is not None}
    unmatched = {row.identification for row in rows if row.kind == "PRODUCT"} - matched
    writer.report.unmatched = sorted(
        {row.default for row in rows if row.identification in unmatched and row.field == "title"}
    )
    for row in wanted:
        target = found.get(row.identification) if row.kind == "PRODUCT" else None
        if target is None:
            continue
        if row.field == "title":
            writer.report.titles += writer.set(target, row.locale, "title", row.translated)
        elif row.field == "body_html":
            text = html_to_text(row.translated)
            writer.report.titles += writer.set(target, row.locale, "description", text)


def _options(wanted: list[TranslationRow], products: list[Product], writer: _Writer) -> None:
    names: dict[tuple[str, str], str] = {}  # (locale, merchant's name) → translated
    values: dict[tuple[str, int | None, str], str] = {}  # (locale, option or any, value) → ...
    for row in wanted:
        if row.kind == "PRODUCT_OPTION" and row.field == "name":
            names.setdefault((row.locale, row.default), row.translated)
        elif row.kind == "PRODUCT_OPTION_VALUE" and row.field == "name":
            values.setdefault((row.locale, None, row.default), row.translated)
        elif row.kind == "PRODUCT_VARIANT" and (number := _VARIANT_OPTION.match(row.field)):
            values.setdefault((row.locale, int(number.group(1)), row.default), row.translated)
    locales = {locale for locale, _ in names} | {locale for locale, _, _ in values}
    for locale in sorted(locales):
        for product in products:
            _option_names(product, locale, names, writer)
            _option_values(product, locale, values, writer)


def _option_names(
    product: Product, locale: str, names: dict[tuple[str, str], str], writer: _Writer
) -> None:
    own = product.option_names
    said = [names.get((locale, name), "") for name in own]
    if not any(said):
        return
    stored = writer.translation(product, locale)
    before = [*(stored.option_names or []), *[""] * len(own)][: len(own)]
    merged = [said[i] or before[i] for i in range(len(own))]
    writer.report.option_names += sum(
        1 for new, old in zip(said, before, strict=True) if new and new != old
    )
    writer.set(product, locale, "option_names", merged)


def _option_values(
    product: Product,
    locale: str,
    values: dict[tuple[str, int | None, str], str],
    writer: _Writer,
) -> None:
    count = len(product.option_names)
    found: dict[str, dict[str, str]] = {}
    for variant in product.variants:
        for number, value in enumerate(variant.option_values[:count], start=1):
            said = values.get((locale, number, value)) or values.get((locale, None, value))
            if value and said:
                found.setdefault(str(number), {})[value] = said
    if not found:
        return
    stored = writer.translation(product, locale)
    before = stored.option_values or {}
    merged = {option: dict(words) for option, words in before.items()}
    for option, words in found.items():
        for value, said in words.items():
            if merged.setdefault(option, {}).get(value) != said:
                merged[option][value] = said
                writer.report.option_values += 1
    writer.set(product, locale, "option_values", merged)
