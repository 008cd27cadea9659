"""What an import of Shopify's translation export changed, in the reader's language: the shop's
chat after an upload, the operator's terminal after `chatshop catalog import-translations`."""

from __future__ import annotations

from catalog.importing.shopify_translations import TranslationReport
from i18n import N_, Translator

MAX_UNMATCHED = 20  # titles listed of products the shop does not have

TRANSLATED = N_(
    "%(merchant)s, translations into %(languages)s: %(products)d products changed, "
    "%(titles)d titles and descriptions, %(names)d option names, %(values)d option values."
)
MARKET_ROWS = N_("%(count)d rows for one market only were left out.")
UNMATCHED = N_("Not found in the shop, left out: %(titles)s.")


def report_lines(t: Translator, report: TranslationReport, *, shop: str) -> list[str]:
    """Plain text lines (the caller escapes them for HTML)."""
    counts = {
        "merchant": shop,
        "languages": ", ".join(report.languages) or "-",
        "products": report.products,
        "titles": report.titles,
        "names": report.option_names,
        "values": report.option_values,
    }
    lines = [t.gettext(TRANSLATED) % counts]
    if report.market_rows:
        lines.append(t.gettext(MARKET_ROWS) % {"count": report.market_rows})
    if report.unmatched:
        shown = report.unmatched[:MAX_UNMATCHED]
        more = ", …" if len(report.unmatched) > MAX_UNMATCHED else ""
        lines.append(t.gettext(UNMATCHED) % {"titles": ", ".join(shown) + more})
    return lines
