"""Synthetic typing errors with the shape real ones have.

Studies of real misspellings (Damerau 1964 onward) find about 80% of them one edit away from the
intended word, most of the rest two edits, and a few further; the edits are dominated by
neighbouring-key substitutions, dropped letters, doubled letters and swapped adjacent letters, and
rarely touch the first letter. The generator draws the number of edits from that mix
(~80% one, ~15% two, ~5% three) and the kind of each edit from the weights below.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from rapidfuzz.distance import OSA

_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
EDIT_COUNTS = ((1, 0.80), (2, 0.15), (3, 0.05))
EDIT_KINDS = (
    ("neighbour", 0.35),  # a key next to the intended one
    ("drop", 0.25),  # a letter left out
    ("transpose", 0.20),  # two adjacent letters swapped
    ("double", 0.15),  # a letter typed twice
    ("insert", 0.05),  # a neighbouring key pressed as well
)
MIN_WORD = 4  # shorter words are left alone: one edit in "hat" makes another word


def _neighbours() -> dict[str, str]:
    """QWERTY adjacency: left/right on the row, and the two touching keys above and below."""
    where = {ch: (r, c) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}
    near: dict[str, str] = {}
    for ch, (r, c) in where.items():
        found = []
        for dr, dc in ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)):
            rr, cc = r + dr, c + dc
            if 0 <= rr < len(_ROWS) and 0 <= cc < len(_ROWS[rr]):
                found.append(_ROWS[rr][cc])
        near[ch] = "".join(found)
    return near


NEIGHBOURS = _neighbours()


def edit_count(rng: random.Random) -> int:
    counts = [count for count, _ in EDIT_COUNTS]
    return rng.choices(counts, [weight for _, weight in EDIT_COUNTS])[0]


def _position(rng: random.Random, length: int) -> int:
    """Errors rarely hit the first letter: it is chosen one time in ten."""
    if length < 2 or rng.random() < 0.1:
        return 0
    return rng.randrange(1, length)


def one_edit(word: str, rng: random.Random) -> str:
    """Applies one edit of a randomly drawn kind (falls back to a drop when it cannot apply)."""
    kinds = [kind for kind, _ in EDIT_KINDS]
    kind = rng.choices(kinds, [weight for _, weight in EDIT_KINDS])[0]
    i = _position(rng, len(word))
    ch = word[i]
    near = NEIGHBOURS.get(ch.lower(), "")
    if kind == "neighbour" and near:
        new = rng.choice(near)
        return word[:i] + (new.upper() if ch.isupper() else new) + word[i + 1 :]
    if kind == "transpose" and len(word) >= 2:
        i = min(max(i, 1), len(word) - 1)
        if word[i - 1] != word[i]:
            return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == "double":
        return word[: i + 1] + ch + word[i + 1 :]
    if kind == "insert" and near:
        return word[: i + 1] + rng.choice(near) + word[i + 1 :]
    return word[:i] + word[i + 1 :]


def misspell(word: str, edits: int, rng: random.Random, tries: int = 20) -> str | None:
    """``word`` with exactly ``edits`` edits (optimal string alignment distance), or None."""
    for _ in range(tries):
        out = word
        for _ in range(edits):
            out = one_edit(out, rng)
        if OSA.distance(word.lower(), out.lower()) == edits:
            return out
    return None


def edits_per_word(lengths: Sequence[int], edits: int, rng: random.Random) -> list[int] | None:
    """Spreads ``edits`` over words, longer words more likely, short words capped at one."""
    caps = [0 if n < MIN_WORD else 1 if n <= 5 else 2 if n <= 8 else 3 for n in lengths]
    if sum(caps) < edits:
        return None
    given = [0] * len(lengths)
    for _ in range(edits):
        open_ = [i for i, cap in enumerate(caps) if given[i] < cap]
        i = rng.choices(open_, [lengths[j] for j in open_])[0]
        given[i] += 1
    return given
