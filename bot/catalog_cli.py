"""`chatshop catalog import` and `chatshop catalog export`: files in, files out, a report.

The report goes to stderr (errors by line, then a summary), so `export` can write CSV to stdout.
Exit status: 0 when everything imported, 1 when the file had errors (imported or not) or cannot
be read; the database is untouched unless the import was applied.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Final, TextIO

from bot.bootstrap import open_database
from bot.database import session_factory, transaction
from bot.settings import Settings
from catalog.exporting import UnknownMerchant, export_catalog
from catalog.importing import DEFAULT_LIMITS, ImportReport, import_catalog
from catalog.importing.problems import ImportRejected
from catalog.importing.shopify_translations import (
    TranslationReport,
    import_translation_export,
)
from conversation.views.translations_report import report_lines
from i18n import N_, Translator, negotiate_locale, translator

MAX_PRINTED: Final = 50  # problems listed before "... and N more"
PROGRESS_MIN_ROWS: Final = 1_000  # smaller files import too fast for a bar to help

CANNOT_READ = N_("Cannot read %(path)s: %(reason)s.")
CANNOT_WRITE = N_("Cannot write %(path)s: %(reason)s.")
NOTHING_IMPORTED = N_(
    "Nothing was imported. Fix the lines above, or pass --skip-bad-rows to import the rest."
)
SUMMARY = N_(
    "%(merchant)s: %(created)d products created, %(updated)d updated, %(unchanged)d unchanged, "
    "%(skipped)d skipped (%(rows)d rows read)."
)
VARIANTS = N_("Variants: %(created)d created, %(updated)d updated, %(removed)d removed.")
ERRORS_SKIPPED = N_("%(count)d rows with errors were skipped.")
ERROR = N_("error: %(problem)s")
WARNING = N_("warning: %(problem)s")
MORE = N_("... and %(count)d more.")
IGNORED = N_("Columns not imported: %(columns)s.")
UNKNOWN_MERCHANT = N_("There is no merchant %(merchant)s.")
EXPORTED = N_("Exported %(count)d products of %(merchant)s to %(path)s.")


class ProgressBar:
    """`[#####.....]  50%  5000/10000 rows` redrawn in place on a terminal's stderr."""

    def __init__(self, stream: TextIO, *, min_total: int = PROGRESS_MIN_ROWS, width: int = 30):
        self.stream = stream
        self.min_total = min_total
        self.width = width
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if total < self.min_total or total <= 0:
            return
        filled = self.width * min(done, total) // total
        percent = 100 * min(done, total) // total
        bar = "#" * filled + "." * (self.width - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}%  {done}/{total}")
        self.stream.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


async def import_file(
    settings: Settings,
    path: Path,
    *,
    merchant: str,
    currency: str | None = None,
    skip_bad_rows: bool = False,
    err: TextIO | None = None,
) -> int:
    """Imports `path` into `merchant`'s catalog and prints the report; the exit status."""
    err = err or sys.stderr
    tr = _translator(settings)
    try:
        with path.open("rb") as handle:
            data = handle.read(DEFAULT_LIMITS.max_bytes + 1)  # the importer refuses the excess
    except OSError as error:
        print(tr.gettext(CANNOT_READ) % {"path": path, "reason": error.strerror}, file=err)
        return 1
    bar = ProgressBar(err) if err.isatty() else None
    engine = await open_database(settings)
    try:
        report = await import_catalog(
            session_factory(engine),
            data,
            merchant_slug=merchant,
            currency=currency,
            skip_bad_rows=skip_bad_rows,
            progress=bar,
        )
    finally:
        if bar:
            bar.finish()
        await engine.dispose()
    print_report(report, tr, err)
    return 1 if report.errors or not report.applied else 0


def print_report(report: ImportReport, tr: Translator, out: TextIO) -> None:
    """Errors and warnings by line (the first `MAX_PRINTED`), then what was imported."""
    errors, warnings = report.errors, report.warnings
    for template, problems in ((ERROR, errors), (WARNING, warnings)):
        for problem in problems[:MAX_PRINTED]:
            print(tr.gettext(template) % {"problem": problem.render(tr.gettext)}, file=out)
        if len(problems) > MAX_PRINTED:
            print(tr.gettext(MORE) % {"count": len(problems) - MAX_PRINTED}, file=out)
    if report.ignored_columns:
        print(tr.gettext(IGNORED) % {"columns": ", ".join(report.ignored_columns)}, file=out)
    if not report.applied:
        if errors:
            print(tr.gettext(NOTHING_IMPORTED), file=out)
        return
    counts = {
        "merchant": report.merchant,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "skipped": report.skipped,
        "rows": report.rows,
    }
    print(tr.gettext(SUMMARY) % counts, file=out)
    print(
        tr.gettext(VARIANTS)
        % {
            "created": report.variants_created,
            "updated": report.variants_updated,
            "removed": report.variants_removed,
        },
        file=out,
    )
    if errors:
        print(tr.gettext(ERRORS_SKIPPED) % {"count": report.skipped_rows}, file=out)


async def export_file(
    settings: Settings, *, merchant: str, output: Path | None = None, err: TextIO | None = None
) -> int:
    """Writes `merchant`'s catalog as plain CSV to `output` (stdout when None)."""
    err = err or sys.stderr
    tr = _translator(settings)
    engine = await open_database(settings)
    try:
        async with transaction(session_factory(engine)) as session:
            if output is None:
                count = await export_catalog(session, sys.stdout, merchant_slug=merchant)
            else:
                # Written beside the target and renamed, so a failed export leaves no half file.
                partial = output.with_name(output.name + ".partial")
                try:
                    with partial.open("w", encoding="utf-8", newline="") as handle:
                        count = await export_catalog(session, handle, merchant_slug=merchant)
                    partial.replace(output)
                finally:
                    partial.unlink(missing_ok=True)
    except UnknownMerchant:
        print(tr.gettext(UNKNOWN_MERCHANT) % {"merchant": merchant}, file=err)
        return 1
    except OSError as error:
        print(tr.gettext(CANNOT_WRITE) % {"path": output, "reason": error.strerror}, file=err)
        return 1
    finally:
        await engine.dispose()
    target = str(output) if output else "stdout"
    print(tr.gettext(EXPORTED) % {"count": count, "merchant": merchant, "path": target}, file=err)
    return 0


async def import_translations_file(
    settings: Settings, path: Path, *, merchant: str, err: TextIO | None = None
) -> int:
    """Imports Shopify's translation export into `merchant`'s catalog; the exit status."""
    err = err or sys.stderr
    tr = _translator(settings)
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        print(tr.gettext(CANNOT_READ) % {"path": path, "reason": error.strerror}, file=err)
        return 1
    engine = await open_database(settings)
    try:
        async with transaction(session_factory(engine)) as session:
            report = await import_translation_export(session, data, merchant_slug=merchant)
    except ImportRejected as rejected:
        print(tr.gettext(ERROR) % {"problem": rejected.problem.render(tr.gettext)}, file=err)
        return 1
    except UnknownMerchant:
        print(tr.gettext(UNKNOWN_MERCHANT) % {"merchant": merchant}, file=err)
        return 1
    finally:
        await engine.dispose()
    print_translation_report(report, tr, err)
    return 0


def print_translation_report(report: TranslationReport, tr: Translator, out: TextIO) -> None:
    for line in report_lines(tr, report, shop=report.merchant):
        print(line, file=out)


def _translator(settings: Settings) -> Translator:
    return translator(negotiate_locale(settings.default_language))
