"""What the merchant's chat reads about a catalog file: refusals and the import report.

The report is in the shop's language; refusals answer the sender in their own. Every cell value
quoted in a problem comes from the uploaded file, so it is escaped before it meets HTML, and the
report is kept inside one Telegram message however many lines are wrong.
"""

from __future__ import annotations

from decimal import Decimal
from html import escape

from babel.numbers import format_decimal

from catalog.importing import ImportProblem
from conversation.reply import Reply
from conversation.views.translations_report import report_lines
from i18n import N_, Translator
from merchants.upload import TranslationsResult, UploadRefusal, UploadResult

SHOWN_PROBLEMS = 20  # errors listed by line; the rest are counted
SHOWN_WARNINGS = 5
PROBLEM_CHARS = 160  # one problem's line, at most (a quoted cell can be long)
MESSAGE_BUDGET = 3900  # under Telegram's 4,096 characters, with room for the closing lines

_REFUSALS = {
    UploadRefusal.NOT_A_SHOP_CHAT: N_(
        "This chat is not connected to a shop, so I can't import a catalog here. "
        "A shop's administrator connects it with /setup."
    ),
    UploadRefusal.NOT_STAFF: N_("Only the shop's staff can upload its catalog."),
    UploadRefusal.TOO_LARGE: N_(
        "This file is too large: I import files of up to {size} MB from the chat. "
        "Split it into smaller files."
    ),
}


def refused(t: Translator, refusal: UploadRefusal, *, limit: int = 0) -> Reply:
    megabytes = format_decimal(Decimal(limit) / (1024 * 1024), locale=t.locale)
    return Reply(t.gettext(_REFUSALS[refusal]).format(size=megabytes))


def download_failed(t: Translator) -> Reply:
    return Reply(t.gettext("I could not download this file from Telegram. Please send it again."))


def _problem_line(t: Translator, problem: ImportProblem) -> str:
    text = problem.render(t.gettext)
    if len(text) > PROBLEM_CHARS:
        text = text[: PROBLEM_CHARS - 1] + "…"
    return "• " + escape(text)


def _problems(
    t: Translator, title: str, problems: list[ImportProblem], shown: int, budget: int
) -> list[str]:
    """A titled list of the first `shown` problems that fit `budget`, then "and N more"."""
    if not problems:
        return []
    lines = ["", "<b>" + title + "</b>"]
    used = sum(len(line) + 1 for line in lines)
    listed = 0
    for problem in problems[:shown]:
        line = _problem_line(t, problem)
        if used + len(line) + 1 > budget:
            break
        lines.append(line)
        used += len(line) + 1
        listed += 1
    hidden = len(problems) - listed
    if hidden:
        lines.append(
            t.ngettext("… and {count} more", "… and {count} more", hidden).format(count=hidden)
        )
    return lines


def _counts(t: Translator, result: UploadResult) -> list[str]:
    _ = t.gettext
    report = result.report
    lines = [
        _("New products: {count}").format(count=report.created),
        _("Updated: {count}").format(count=report.updated),
        _("Unchanged: {count}").format(count=report.unchanged),
    ]
    if result.skip_bad_rows:
        lines.append(
            _("Left out for errors: {products} products ({rows} rows)").format(
                products=report.skipped, rows=report.skipped_rows
            )
        )
    if report.left_out:
        lines.append(
            _("Not sold here, left out: {count} (gift cards, no shipping needed)").format(
                count=report.left_out
            )
        )
    if report.other_merchant_rows:
        lines.append(
            _("Rows for other shops, left out: {count}").format(count=report.other_merchant_rows)
        )
    if report.ignored_columns:
        columns = ", ".join(escape(column[:40]) for column in report.ignored_columns[:10])
        lines.append(_("Columns I don't read: {columns}").format(columns=columns))
    return lines


def report(t: Translator, result: UploadResult) -> Reply:
    """The import's outcome: what changed, or why nothing did, with the errors by line."""
    _ = t.gettext
    shop = escape(result.uploader.merchant_name)
    report = result.report
    if report.applied:
        lines = ["<b>" + _("The catalog of {shop} is imported.").format(shop=shop) + "</b>"]
        lines += _counts(t, result)
    elif moved := [p for p in report.errors if p.code == "catalog_changed"]:
        # Nothing wrong with the file: the catalog changed under it every time it was tried.
        lines = ["<b>" + escape(moved[0].render(_, located=False)) + "</b>"]
    elif result.rejected:
        lines = ["<b>" + _("Nothing was imported: I can't read this file.") + "</b>"]
    else:
        lines = ["<b>" + _("Nothing was imported: some rows have errors.") + "</b>"]
    closing: list[str] = []
    if result.skip_would_help:
        closing = [
            "",
            _(
                "Fix these rows and send the file again, or send it with the caption "
                "<code>skip</code> to import the other products and leave these out."
            ),
        ]
    budget = MESSAGE_BUDGET - sum(len(line) + 1 for line in lines + closing)
    shown = [p for p in report.errors if p.code != "catalog_changed"]  # said above already
    errors = _problems(t, _("Errors"), shown, SHOWN_PROBLEMS, budget)
    budget -= sum(len(line) + 1 for line in errors)
    warnings = _problems(t, _("Warnings"), report.warnings, SHOWN_WARNINGS, budget)
    return Reply("\n".join(lines + errors + warnings + closing))


def translations_report(t: Translator, result: TranslationsResult) -> Reply:
    """Shopify's translation export, imported or refused as a whole."""
    if result.report is None:
        problem = result.rejected
        text = problem.render(t.gettext) if problem is not None else ""
        return Reply("⚠️ " + escape(text))
    lines = report_lines(t, result.report, shop=result.uploader.merchant_name)
    return Reply("🌐 " + "\n".join(escape(line) for line in lines))
