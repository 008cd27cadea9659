"""Small HTML pages in the buyer's language: one layout, values escaped on the way in.

No template engine is a dependency of the project yet; the pages are a handful of short
fragments, and every value passes through `html.escape` unless it is a `Html` fragment built
here. All words come from gettext at render time.
"""

from __future__ import annotations

from html import escape
from string import Template

from starlette.requests import Request
from starlette.responses import HTMLResponse

from i18n import Translator, negotiate_locale, translator


class Html(str):
    """Markup that is already safe (built from escaped values); inserted as is."""


LAYOUT = Template(
    """<!doctype html>
<html lang="$lang" dir="$direction">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>$title</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; margin: 0; background: #f4f4f6; color: #1d1d1f; }
main { max-width: 32rem; margin: 2rem auto; padding: 1.5rem; background: #fff;
       border-radius: 12px; box-shadow: 0 1px 4px rgb(0 0 0 / 10%); }
h1 { font-size: 1.4rem; margin-top: 0; }
table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
th, td { padding: .4rem 0; text-align: start; border-bottom: 1px solid #e5e5ea; }
td.number, th.number { text-align: end; }
tfoot th, tfoot td { font-weight: bold; border-bottom: none; }
.note { color: #6e6e73; font-size: .9rem; }
.actions { display: flex; gap: .75rem; flex-wrap: wrap; margin-top: 1.5rem; }
button, a.button { font: inherit; padding: .6rem 1.2rem; border-radius: 8px; border: 1px solid
       #c7c7cc; background: #fff; color: inherit; cursor: pointer; text-decoration: none; }
button.primary { background: #0a7cff; border-color: #0a7cff; color: #fff; }
</style>
</head>
<body>
<main>
$content
</main>
</body>
</html>
"""
)

# No framing (clickjacking a Pay button), no scripts, and the token in the URL never leaks
# to another site through the Referer header.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


def fill(template: str, **values: str) -> Html:
    """`template` (a `string.Template`) with every value escaped, except `Html` fragments."""
    safe = {k: v if isinstance(v, Html) else escape(v) for k, v in values.items()}
    return Html(Template(template).substitute(safe))


def page(t: Translator, title: str, content: Html, *, status_code: int = 200) -> HTMLResponse:
    """A whole page: `lang` and `dir` (Arabic is right to left) from the translator."""
    html = LAYOUT.substitute(
        lang=escape(t.locale.language),
        direction="rtl" if t.rtl else "ltr",
        title=escape(title),
        content=content,
    )
    return HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)


def page_translator(request: Request, preferred: str | None = None) -> Translator:
    """The buyer's language: the one their checkout was opened in, else `?lang=`, else the
    browser's first choice, else the default."""
    browser = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    for candidate in (preferred, request.query_params.get("lang"), browser):
        if candidate:
            return translator(negotiate_locale(candidate))
    return translator()
