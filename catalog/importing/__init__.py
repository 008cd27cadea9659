"""Importing a merchant's catalog from a plain CSV or a Shopify product export.

One entry point, `import_catalog`, runs the whole pipeline: read (size, encoding, quoting, row
limit) → map the header → parse rows into product drafts, streaming (a product's rows are
forgotten once it is parsed) → cross-row checks → plan against the database and stage what
changes, a batch at a time, each batch a short transaction of its own → one short transaction
that swaps the staged rows into the catalog (`swap`). Buyers never wait for more than one batch
or the swap, SQLite included, and never see half an import. A file with any error writes nothing
unless `skip_bad_rows` is set, in which case the products with errors are left out whole; an
import that fails midway leaves the catalog as it was and its staging rows deleted.
What a live Shopify store exports is never an error: negative stock imports as 0 available, a
price of 0 hides the variant from buyers until it is priced, and gift cards and digital products
are left out, each with a warning at its line.
The format is documented in catalog/CSV_FORMAT.md.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Final, NoReturn, TypeAlias

from sqlalchemy.ext.asyncio import AsyncSession

from catalog.importing import apply, swap, validate
from catalog.importing.apply import Counts, SkuOwners
from catalog.importing.columns import ColumnMap, resolve_header
from catalog.importing.problems import ImportProblem, ImportRejected
from catalog.importing.reader import decode, read_bytes, stream_records
from catalog.importing.rows import ParsedProduct, parse_stream
from catalog.importing.stage import StagedBatch, Stager
from catalog.importing.swap import CatalogMoved
from catalog.merchants import create_merchant, find_merchant, is_valid_slug
from catalog.models import SLUG_MAX, Merchant
from catalog.version import catalog_version
from money import UnknownCurrency, normalise_code

__all__ = [
    "DEFAULT_LIMITS",
    "ImportLimits",
    "ImportProblem",
    "ImportReport",
    "ProgressCallback",
    "Sessions",
    "import_catalog",
]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]  # (rows done, rows in the file)
Sessions: TypeAlias = Callable[[], AsyncSession]  # an `async_sessionmaker`: a session per call
BATCH_PRODUCTS: Final = 500  # products per staged batch: each batch's transactions stay short
ATTEMPTS: Final = 3  # imports planned again when the catalog changed under them, at most
_SKUS_PER_READ: Final = 5_000
ANALYZE_ABOVE: Final = 1_000  # products changed beyond which PostgreSQL's statistics are stale


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
    sessions: Sessions,
    data: bytes,
    *,
    merchant_slug: str,
    currency: str | None = None,
    skip_bad_rows: bool = False,
    progress: ProgressCallback | None = None,
    limits: ImportLimits = DEFAULT_LIMITS,
    batch_size: int = BATCH_PRODUCTS,
) -> ImportReport:
    """Imports `data` (a CSV file's bytes) into `merchant_slug`'s catalog; never raises for bad
    input: everything wrong is in the report, and then the catalog is as it was.

    The merchant is created if it does not exist (then `currency`, or a currency column, is
    required). Products are matched by handle and variants by SKU, so re-importing updates in
    place. `sessions` opens a session per transaction: the import takes many short ones (reads
    and staging writes, `batch_size` products each) and one short swap at the end, which bumps
    the catalog version once if anything changed, so every search index refreshes once.
    """
    for _attempt in range(ATTEMPTS):
        try:
            return await _import(
                sessions, data, merchant_slug=merchant_slug, currency=currency,
                skip_bad_rows=skip_bad_rows, progress=progress, limits=limits,
                batch_size=batch_size,
            )  # fmt: skip
        except CatalogMoved:
            log.info("the catalog of %s changed during an import: importing again", merchant_slug)
    report = ImportReport(merchant=merchant_slug)
    report.problems.append(ImportProblem("catalog_changed"))
    return report


async def _import(
    sessions: Sessions,
    data: bytes,
    *,
    merchant_slug: str,
    currency: str | None,
    skip_bad_rows: bool,
    progress: ProgressCallback | None,
    limits: ImportLimits,
    batch_size: int,
) -> ImportReport:
    report = ImportReport(merchant=merchant_slug)
    try:
        if not is_valid_slug(merchant_slug):
            _reject("bad_merchant", value=merchant_slug, limit=SLUG_MAX)
        given = _currency(currency)
        text = decode(read_bytes(data, max_bytes=limits.max_bytes))
        header, records = stream_records(text, max_rows=limits.max_rows)
        columns = resolve_header(header)
        report.source, report.ignored_columns = columns.source.value, columns.ignored
        # In a thread: a chat upload is parsed inside the running bot, whose loop keeps serving.
        parsed = await asyncio.to_thread(parse_stream, columns, records, merchant=merchant_slug)
        del text, records
        products = parsed.products
        report.rows, report.other_merchant_rows = parsed.rows, parsed.filtered
        async with _reading(sessions) as session:
            merchant = await find_merchant(session, slug=merchant_slug)
            read_at_version = await catalog_version(session)
        existing_currency = {merchant_slug: merchant.currency} if merchant else {}
        currencies = validate.resolve_currencies(products, given=given, existing=existing_currency)
    except ImportRejected as rejected:
        report.problems.append(rejected.problem)
        return report
    validate.check_duplicates(products, options_given=columns.has_options)
    validate.check_prices(products, currencies)
    owners = await _sku_owners(sessions, merchant, products)
    validate.check_taken_skus(products, owners.handles)
    report.left_out = sum(1 for product in products if product.left_out)
    bad = [product for product in products if not product.ok and not product.left_out]
    if bad and not skip_bad_rows:
        _sort_problems(report, products)
        return report
    report.skipped = sum(1 for product in bad if product.handle)
    report.skipped_rows = sum(product.row_count for product in bad)
    good = [product for product in products if product.ok]
    if merchant is None and not good:
        _sort_problems(report, products)
        return report  # nothing to import: do not create an empty merchant
    staging = _Staging(sessions, columns, currency=currencies[merchant_slug])
    await staging.open(merchant_slug)
    try:
        await staging.stage(good, merchant, owners, batch_size=batch_size, report=report,
                            progress=progress)  # fmt: skip
        counts = staging.counts
        async with _writing(sessions) as session:
            if merchant is None:
                merchant = await create_merchant(
                    session, slug=merchant_slug, currency=currencies[merchant_slug]
                )
            if counts.products_created or counts.products_updated:
                await staging.swap(session, merchant, read_at_version)
    finally:
        await staging.discard()
    if counts.products_created + counts.products_updated >= ANALYZE_ABOVE:
        async with _writing(sessions) as session:
            await swap.refresh_statistics(session)
    report.applied = True
    report.created, report.updated = counts.products_created, counts.products_updated
    report.unchanged = counts.products_unchanged
    report.variants_created, report.variants_updated = (
        counts.variants_created,
        counts.variants_updated,
    )
    report.variants_removed = counts.variants_removed
    _sort_problems(report, products)
    if progress and staging.done_rows < report.rows:  # rows left out or skipped: all done now
        progress(report.rows, report.rows)
    return report


class _Staging:
    """One import's staging area: batches written as they are planned, then swapped in."""

    def __init__(self, sessions: Sessions, columns: ColumnMap, *, currency: str) -> None:
        self.sessions = sessions
        self.columns = columns
        self.currency = currency
        self.counts = Counts()
        self.removed: list[int] = []
        self.touched: list[int] = []
        self.import_id: int | None = None
        self.done_rows = 0

    async def open(self, merchant_slug: str) -> None:
        async with _writing(self.sessions) as session:
            self.import_id = await swap.open_import(session, merchant_slug=merchant_slug)

    async def stage(
        self,
        products: Sequence[ParsedProduct],
        merchant: Merchant | None,
        owners: SkuOwners,
        *,
        batch_size: int,
        report: ImportReport,
        progress: ProgressCallback | None,
    ) -> None:
        """Plans and stages `products` a batch at a time, each batch's read and write a short
        transaction of its own, so others' transactions run between them."""
        assert self.import_id is not None
        stager = Stager(self.columns, self.counts, import_id=self.import_id, currency=self.currency)
        claimed = {
            owners.variants[(product.merchant, variant.sku)]
            for product in products
            for variant in (product.draft.variants if product.draft else ())
            if variant.sku and (product.merchant, variant.sku) in owners.variants
        }
        for start in range(0, len(products), batch_size):
            chunk = products[start : start + batch_size]
            existing = apply.Existing()
            if merchant is not None:
                async with _reading(self.sessions) as session:
                    existing = await apply.load_existing(session, {merchant.slug: merchant}, chunk)
            batch = await asyncio.to_thread(self._plan, stager, start, chunk, existing, claimed)
            if batch.products:
                async with _writing(self.sessions) as session:
                    await swap.write_batch(session, batch)
            self.removed += batch.removed
            self.touched += batch.touched
            self.done_rows += sum(product.row_count for product in chunk)
            if progress:
                progress(self.done_rows, report.rows)

    def _plan(
        self,
        stager: Stager,
        start: int,
        chunk: Sequence[ParsedProduct],
        existing: apply.Existing,
        claimed: set[int],
    ) -> StagedBatch:
        planned, problems = apply.plan(chunk, existing, self.columns, claimed_by_sku=claimed)
        for product, problem in problems:
            product.fail(problem)  # warnings only: pairing cannot make a product fail
        batch = StagedBatch()
        for offset, item in enumerate(planned):
            stager.stage(start + offset, item, batch)
        return batch

    async def swap(self, session: AsyncSession, merchant: Merchant, read_at_version: int) -> None:
        assert self.import_id is not None
        await swap.swap(
            session, self.import_id, merchant=merchant, columns=self.columns,
            read_at_version=read_at_version, removed=self.removed, touched=self.touched,
        )  # fmt: skip

    async def discard(self) -> None:
        """Empties the staging area a batch at a time (after the swap, or instead of it).

        A failure here changes nothing the import did or did not do (the catalog is swapped or
        untouched either way), so it is logged; a later import deletes what is left once it is
        stale (`staged.STALE_AFTER`).
        """
        if self.import_id is None:
            return
        done = False
        try:
            while not done:
                async with _writing(self.sessions) as session:
                    done = await swap.discard(session, self.import_id)
        except Exception:
            log.exception("staged rows of import %d were not deleted", self.import_id)


async def _sku_owners(
    sessions: Sessions, merchant: Merchant | None, products: Sequence[ParsedProduct]
) -> SkuOwners:
    """Who holds the file's SKUs today, read a few thousand at a time."""
    owners = SkuOwners()
    if merchant is None:
        return owners
    skus = sorted(
        {
            variant.sku
            for product in products
            if product.draft is not None
            for variant in product.draft.variants
            if variant.sku
        }
    )
    for start in range(0, len(skus), _SKUS_PER_READ):
        async with _reading(sessions) as session:
            found = await apply.load_sku_owners(
                session, merchant, skus[start : start + _SKUS_PER_READ]
            )
        owners.handles.update(found.handles)
        owners.variants.update(found.variants)
    return owners


@asynccontextmanager
async def _reading(sessions: Sessions) -> AsyncIterator[AsyncSession]:
    """A short transaction whose loaded objects outlive it (detached, fully loaded)."""
    async with sessions() as session, session.begin():
        yield session
        session.expunge_all()


_writing = _reading  # the same short transaction; named for what the caller does in it


def _sort_problems(report: ImportReport, products: Sequence[ParsedProduct]) -> None:
    report.problems = sorted(
        (problem for product in products for problem in product.problems),
        key=lambda problem: (problem.line or 0, problem.is_warning),
    )


def _currency(code: str | None) -> str | None:
    if not code:
        return None
    try:
        return normalise_code(code)
    except UnknownCurrency:
        _reject("unknown_currency", value=code)


def _reject(code: str, **params: str | int) -> NoReturn:
    raise ImportRejected(ImportProblem(code, params=params))
