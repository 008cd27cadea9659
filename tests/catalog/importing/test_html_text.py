"""Shopify's Body (HTML) becomes plain text for chat messages and the search index."""

from __future__ import annotations

from catalog.importing.html_text import html_to_text


def test_paragraphs_lists_and_breaks_become_lines() -> None:
    html = "<p>Soft <b>cotton</b>.</p><ul><li>S</li><li>M</li></ul>Line<br>two"
    assert html_to_text(html) == "Soft cotton.\n\n• S\n• M\n\nLine\ntwo"


def test_scripts_styles_and_attributes_are_dropped() -> None:
    html = '<style>p{color:red}</style><p onclick="x()">Hi</p><script>alert(1)</script>'
    assert html_to_text(html) == "Hi"


def test_entities_are_decoded_and_plain_text_passes_through() -> None:
    assert html_to_text("Tom &amp; Jerry&nbsp;mug") == "Tom & Jerry mug"
    assert html_to_text("just text") == "just text"
