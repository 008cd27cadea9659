"""Text folding and tokenisation shared by the indexer and the query side.

Both sides must cut text the same way or nothing matches, so every rule lives here once:

* case and accents are folded (``Café`` == ``cafe``, ``ёлка`` == ``елка``), Arabic letter variants
  and digits are unified, but Japanese voicing marks are kept (``が`` is not ``か``);
* Chinese and Japanese have no spaces, so a run of CJK characters becomes overlapping bigrams
  (plus unigrams on the index side, so a one-character query still finds something);
* compound tokens such as ``WH-1000XM5`` or ``t-shirt`` are indexed as their parts *and* joined, so
  a buyer may type ``wh 1000xm5``, ``wh-1000xm5`` or ``wh1000xm5``;
* non-Latin words also get an ASCII transliteration (``кофе`` → ``kofe``) so a Latin keyboard
  reaches a Cyrillic title.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final, NamedTuple

from anyascii import anyascii

from catalog.search.stems import stem_term

# Combining marks removed after NFKD: Latin/Greek/Cyrillic diacritics and Arabic vowel signs.
# Kana voicing marks (U+3099/U+309A) are deliberately not in the list.
_MARKS: Final = re.compile(
    "[\u0300-\u036f\u0483-\u0489\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]"
)
_ARABIC: Final = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ى": "ي",
        "ة": "ه",
        "ـ": None,
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
    }
)
CJK_CLASS: Final = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_CJK_RUN: Final = re.compile(f"[{CJK_CLASS}]+")
_HAS_CJK: Final = re.compile(f"[{CJK_CLASS}]")
# A token: letters/digits, optionally glued by joiners into a compound (wh-1000xm5, l'eau, 2.5).
TOKEN: Final = re.compile(r"[^\W_]+(?:[-‐‑–/.'’_+&][^\W_]+)*")
JOINERS: Final = re.compile(r"[-‐‑–/.'’_+&]")
_NOT_ALNUM: Final = re.compile(r"[^a-z0-9]+")
_DIGIT: Final = re.compile(r"\d")

MAX_TERM_CHARS: Final = 48
"""Longer runs are cut: nobody types them, and they would bloat the vocabulary."""


def fold(text: str) -> str:
    """Lower-case, strip accents, unify Arabic variants; ASCII text takes a fast path."""
    if text.isascii():
        return text.lower()
    # й is a letter of its own in Russian, not и with a mark: shield it from the mark stripping.
    text = text.replace("Й", "й").replace("й", "\ue000")
    text = unicodedata.normalize("NFKD", text)
    text = _MARKS.sub("", text).casefold().translate(_ARABIC).replace("\ue000", "й")
    return unicodedata.normalize("NFC", text)


def is_cjk(term: str) -> bool:
    """True for terms cut into n-grams (Chinese, Japanese): they get neither typos nor prefixes."""
    return bool(_HAS_CJK.search(term))


def has_digit(term: str) -> bool:
    """Numbers, model codes and SKUs: matched exactly or by prefix, never with typos."""
    return bool(_DIGIT.search(term))


def transliterate(term: str) -> str:
    """ASCII form of a non-Latin word, or "" when it would add nothing (already ASCII, or CJK)."""
    if term.isascii() or is_cjk(term):
        return ""
    ascii_form = _NOT_ALNUM.sub("", anyascii(term).lower())[:MAX_TERM_CHARS]
    return ascii_form if ascii_form and ascii_form != term else ""


class IndexTerm(NamedTuple):
    """A term to index; ``offset`` is its position relative to its token, ``primary`` whether it
    occupies a position of its own (joined compounds and transliterations share one)."""

    term: str
    offset: int
    primary: bool


def _cjk_index_terms(run: str, start: int) -> list[IndexTerm]:
    if len(run) == 1:
        return [IndexTerm(run, start, True)]
    terms = [IndexTerm(run[i : i + 2], start + i, True) for i in range(len(run) - 1)]
    last = len(run) - 2
    terms += [IndexTerm(ch, start + min(i, last), False) for i, ch in enumerate(run)]
    return terms


def _split_cjk(part: str) -> list[tuple[str, bool]]:
    """Cut a mixed token (``iphone15手机壳``) into (piece, is_cjk) runs in order."""
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for match in _CJK_RUN.finditer(part):
        if match.start() > pos:
            pieces.append((part[pos : match.start()], False))
        pieces.append((match.group(), True))
        pos = match.end()
    if pos < len(part):
        pieces.append((part[pos:], False))
    return pieces


split_cjk: Final = _split_cjk


class TokenTerms(NamedTuple):
    """Index terms of one token; ``span`` positions it covers, ``units`` query words it equals."""

    terms: tuple[IndexTerm, ...]
    span: int
    units: int


def ascii_index_terms(token: str) -> list[tuple[str, int]]:
    """(term, offset) pairs of an ASCII token, what :func:`token_index_terms` gives without its
    general machinery: each part at its own position, then the parts joined (a compound spans
    ``len(parts)`` positions and equals one query word)."""
    if token.isalnum():
        return [(token[:MAX_TERM_CHARS], 0)]
    parts = [p[:MAX_TERM_CHARS] for p in JOINERS.split(token) if p]
    return [*((part, i) for i, part in enumerate(parts)), ("".join(parts)[:MAX_TERM_CHARS], 0)]


@lru_cache(maxsize=1 << 18)
def token_index_terms(token: str) -> TokenTerms:
    """Index terms of one folded token (cached: words repeat across a catalogue)."""
    parts = [p[:MAX_TERM_CHARS] for p in JOINERS.split(token) if p]
    terms: list[IndexTerm] = []
    span = 0
    for part in parts:
        if part.isascii():
            terms.append(IndexTerm(part, span, True))
            span += 1
            continue
        for piece, cjk in _split_cjk(part) if _HAS_CJK.search(part) else [(part, False)]:
            if cjk:
                grams = _cjk_index_terms(piece, span)
                terms += grams
                span += max(1, len(piece) - 1)
                continue
            terms.append(IndexTerm(piece, span, True))
            ascii_form = transliterate(piece)
            if ascii_form:
                terms.append(IndexTerm(ascii_form, span, False))
            stem = stem_term(piece)  # a declined word's other forms (see stems)
            if stem:
                terms.append(IndexTerm(stem, span, False))
            span += 1
    if len(parts) > 1 and not _HAS_CJK.search(token):
        joined = "".join(parts)[:MAX_TERM_CHARS]
        terms.append(IndexTerm(joined, 0, False))
        ascii_form = transliterate(joined)
        if ascii_form:
            terms.append(IndexTerm(ascii_form, 0, False))
    return TokenTerms(tuple(terms), span, len(query_pieces(token)))


def tokens(text: str) -> list[str]:
    """Folded raw tokens of a text, compounds still joined."""
    return TOKEN.findall(fold(text))


def index_terms(text: str) -> tuple[list[tuple[str, int]], int]:
    """Every (term, position) to index for a text, and its length counted in query words (what
    an exact query for this text would have), used to reward exact titles."""
    out: list[tuple[str, int]] = []
    position = 0
    units = 0
    for token in tokens(text):
        terms, span, token_units = token_index_terms(token)
        out += [(t.term, position + t.offset) for t in terms]
        position += span
        units += token_units
    return out, units


def query_pieces(token: str) -> list[str]:
    """What one folded query token asks for: a compound becomes its joined form (the index holds
    it), a CJK run becomes its bigrams, anything else stays whole."""
    if not _HAS_CJK.search(token):
        parts = [p for p in JOINERS.split(token) if p]
        return ["".join(parts)[:MAX_TERM_CHARS]] if parts else []
    pieces: list[str] = []
    for part in JOINERS.split(token):
        for piece, cjk in _split_cjk(part):
            if not cjk:
                pieces.append(piece[:MAX_TERM_CHARS])
            elif len(piece) == 1:
                pieces.append(piece)
            else:
                pieces += [piece[i : i + 2] for i in range(len(piece) - 1)]
    return pieces
