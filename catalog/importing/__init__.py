"""Importing a merchant's catalog from a plain CSV or a Shopify product export.

One entry point, `import_catalog`, runs the whole pipeline inside the caller's transaction:
read (size, encoding, quoting, row limit) → map the header → parse rows into product drafts →
cross-row checks → plan against the database → write. A file with any error writes nothing
unless `skip_bad_rows` is set, in which case the products with errors are left out whole.
What a live Shopify store exports is never an error: negative stock imports as 0 available, a
price of 0 hides the variant from buyers until it is priced, and gift cards and digital products
are left out, each with a warning at its line.
The format is documented in catalog/CSV_FORMAT.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, NoReturn

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.importing import apply, validate
from catalog.importing.columns import ColumnMap, resolve_header
from catalog.importing.problems import ImportProblem, ImportRejected
from catalog.importing.reader import decode, read_bytes, read_records
from catalog.importing.rows import ParsedProduct, parse_products
from catalog.merchants import create_merchant, find_merchant, is_valid_slug
from catalog.models import SLUG_MAX
from money import UnknownCurrency, normalise_code

__all__ = [
    "DEFAULT_LIMITS",
    "ImportLimits",
    "ImportProblem",
    "ImportReport",
    "ProgressCallback",
    "import_catalog",
]

ProgressCallback = Callable[[int, int], None]  # (rows done, rows in the file)


@dataclass(frozen=True, slots=True)
class ImportLimits:
    """What one upload may cost; checked before the work they bound (see `reader`)."""

    max_bytes: int = 50 * 1024 * 1024
    max_rows: int = 200_000


DEFAULT_LIMITS: Final = ImportLimits()


@dataclass(slots=True)
class ImportReport:
    """What an import did, or would have done had it had no errors.

    Counts are of products; `skipped_rows` counts the file's rows left out because they were bad
    (with `skip_bad_rows`). `problems` are sorted by line; errors and warnings are told apart by
    `ImportProblem.is_warning`.
    """

    merchant: str
    applied: bool = False  # True when the database was written (even if nothing changed)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # products left out for their errors (only with `skip_bad_rows`)
    skipped_rows: int = 0
    left_out: int = 0  # products not sold through the bot (gift cards, digital): warned, not errors
    other_merchant_rows: int = 0  # rows whose `merchant` cell names another merchant: left out
    variants_created: int = 0
    variants_updated: int = 0
    variants_removed: int = 0
    rows: int = 0  # data rows read (blank rows are not counted)
    source: str = ""  # "plain" or "shopify": which header the file had
    ignored_columns: tuple[str, ...] = ()  # headers we do not import, so nothing is lost silently
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[ImportProblem]:
        return [problem for problem in self.problems if not problem.is_warning]

    @property
    def warnings(self) -> list[ImportProblem]:
        return [problem for problem in self.problems if problem.is_warning]

    @property
    def ok(self) -> bool:
        """Imported with no errors at all (warnings allowed)."""
        return self.applied and not self.errors


async def import_catalog(
    session: AsyncSession,
    data: bytes,
    *,
    merchant_slug: str,
    currency: str | None = None,
    skip_bad_rows: bool = False,
    progress: ProgressCallback | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
) -> ImportReport:
    """Imports `data` (a CSV file's bytes) into `merchant_slug`'s catalog; never raises for bad
    input: everything wrong is in the report, and the caller's transaction is left unwritten.

    The merchant is created if it does not exist (then `currency`, or a currency column, is
    required). Products are matched by handle and variants by SKU, so re-importing updates in
    place. When anything changed, the catalog version is bumped so every search index refreshes.
    The caller commits (`async with transaction(sessions) as session:`).
    """
    report = ImportReport(merchant=merchant_slug)
    try:
        if not is_valid_slug(merchant_slug):
            _reject("bad_merchant", value=merchant_slug, limit=SLUG_MAX)
        given = _currency(currency)
        text = decode(read_bytes(data, max_bytes=limits.max_bytes))
        header, records = read_records(text, max_rows=limits.max_rows)
        columns = resolve_header(header)
        report.rows, report.source = len(records), columns.source.value
        report.ignored_columns = columns.ignored
        products, report.other_merchant_rows = parse_products(
            columns, records, merchant=merchant_slug
        )
        merchant = await find_merchant(session, slug=merchant_slug)
        existing_currency = {merchant_slug: merchant.currency} if merchant else {}
        currencies = validate.resolve_currencies(products, given=given, existing=existing_currency)
    except ImportRejected as rejected:
        report.problems.append(rejected.problem)
        return report
    validate.check_duplicates(products, options_given=columns.has_options)
    validate.check_prices(products, currencies)
    merchants = {merchant_slug: merchant} if merchant else {}
    existing = await apply.load_existing(session, merchants, products)
    validate.check_taken_skus(products, existing.sku_owners())
    planned = _plan(products, existing, columns)
    report.problems = sorted(
        (problem for product in products for problem in product.problems),
        key=lambda problem: (problem.line or 0, problem.is_warning),
    )
    report.left_out = sum(1 for product in products if product.left_out)
    bad = [product for product in products if not product.ok and not product.left_out]
    if bad and not skip_bad_rows:
        return report
    report.skipped = sum(1 for product in bad if product.handle)
    report.skipped_rows = sum(product.row_count for product in bad)
    if merchant is None:
        if not planned:
            return report  # nothing to import: do not create an empty merchant
        merchant = await create_merchant(
            session, slug=merchant_slug, currency=currencies[merchant_slug]
        )
    counts = await apply.execute(
        session,
        planned,
        merchants={merchant_slug: merchant},
        columns=columns,
        on_progress=progress,
        total_rows=report.rows,
    )
    report.applied = True
    report.created, report.updated = counts.products_created, counts.products_updated
    report.unchanged = counts.products_unchanged
    report.variants_created, report.variants_updated = (
        counts.variants_created,
        counts.variants_updated,
    )
    report.variants_removed = counts.variants_removed
    return report


def _plan(
    products: Sequence[ParsedProduct], existing: apply.Existing, columns: ColumnMap
) -> list[apply.PlannedProduct]:
    """Plans the good products; a product failing only at planning is marked and planned out."""
    while True:
        good = [product for product in products if product.ok]
        planned, problems = apply.plan(good, existing, columns)
        for product, problem in problems:
            product.fail(problem)
        if all(problem.is_warning for _, problem in problems):
            return planned


def _currency(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return normalise_code(code)
    except UnknownCurrency:
        _reject("unknown_currency", value=code)


def _reject(code: str, **params: str | int) -> NoReturn:
    raise ImportRejected(ImportProblem(code, params=params))
