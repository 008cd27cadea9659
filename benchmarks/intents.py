"""Intent accuracy of the shopping assistant on the labelled buyer corpus, per language and per
intent, with the classifier's speed: `python -m benchmarks.intents`.

The corpus is `tests/conversation/corpus/<language>.tsv` (label, tab, message), written by
hand as buyers write; the test suite asserts at least 95 % per language, this prints the detail.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

from storefront.intents import classify

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "conversation" / "corpus"


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for path in sorted(CORPUS.glob("*.tsv")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line and not line.startswith("#"):
                label, message = line.split("\t")
                rows.append((path.stem, label, message))
    return rows


def _table(title: str, right: Counter[str], total: Counter[str]) -> list[str]:
    lines = [f"| {title} | messages | accuracy |", "| :--- | ---: | ---: |"]
    for key in sorted(total):
        lines.append(f"| {key} | {total[key]} | {right[key] / total[key]:.1%} |")
    return lines


def main() -> int:
    rows = _rows()
    started = time.perf_counter()
    classify("do you ship to Spain?")  # the phrase tables and country names load on first use
    first = time.perf_counter() - started
    started = time.perf_counter()
    results = [
        (language, label, classify(message).intent.value) for language, label, message in rows
    ]
    elapsed = time.perf_counter() - started
    by_language: Counter[str] = Counter()
    by_intent: Counter[str] = Counter()
    languages: Counter[str] = Counter()
    intents: Counter[str] = Counter()
    misses = []
    for (language, label, got), (_, _, message) in zip(results, rows, strict=True):
        languages[language] += 1
        intents[label] += 1
        if got == label:
            by_language[language] += 1
            by_intent[label] += 1
        else:
            misses.append(f"- {language} `{message}`: {label} → {got}")
    right = sum(by_language.values())
    lines = [
        f"# Intent accuracy: {right}/{len(rows)} = {right / len(rows):.1%}",
        f"classifier: {elapsed / len(rows) * 1e6:.0f} µs a message ({first:.2f} s the first)",
        "",
        *_table("language", by_language, languages),
        "",
        *_table("intent", by_intent, intents),
    ]
    if misses:
        lines += ["", "Misses:", *misses]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
