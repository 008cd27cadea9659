"""Shopify's `Body (HTML)` as plain text: what a chat message and the search index can use.

The stdlib parser is enough: we keep the words and the paragraph breaks, and drop everything
else (tags, attributes, scripts, styles). Nothing is ever rendered as HTML, so nothing here needs
to be "safe" beyond that.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Final

from catalog.importing.cells import clean_text

_BLOCKS: Final = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "table",
        "tr",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
    }
)
_HIDDEN: Final = frozenset({"script", "style", "head", "title", "template", "noscript", "svg"})


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self._hidden += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n• ")
        elif tag in ("td", "th"):
            self.parts.append(" ")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HIDDEN:  # <br/>, <hr/>: a break; a self-closed hidden tag hides nothing
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCKS:  # (a closing </li> adds nothing: the next <li> starts a line)
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data.replace("\n", " "))


def html_to_text(html: str) -> str:
    """`<p>Soft <b>cotton</b>.</p><ul><li>S</li></ul>` → "Soft cotton.\\n\\n• S"."""
    if "<" not in html and "&" not in html:
        return clean_text(html)
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    return clean_text("".join(collector.parts))
