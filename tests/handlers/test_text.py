"""`handlers.text.on_text`: what was asked first (a shop's payment key, a question to a shop,
the checkout's step, the cart's country), then cart edits in words, then the assistant."""

from __future__ import annotations

from typing import Any

import pytest

from handlers import cart, checkout, onboarding, questions, shipping, text

STEPS = [
    (onboarding, "answer_key_text", "key"),
    (questions, "answer_text", "question"),
    (checkout, "answer_text", "checkout"),
    (shipping, "answer_text", "country"),
    (cart, "handle_cart_words", "cart"),
    (text, "assist_text", "assistant"),
]


def routed(monkeypatch: pytest.MonkeyPatch, taken_by: str) -> list[str]:
    """Replaces each step by a recorder; `taken_by` says it handled the text."""
    calls: list[str] = []
    for module, function, name in STEPS:

        async def record(_update: Any, _context: Any, name: str = name) -> bool:
            calls.append(name)
            return name == taken_by

        monkeypatch.setattr(module, function, record)
    return calls


@pytest.mark.parametrize(
    ("taken_by", "expected"),
    [
        ("key", ["key"]),
        ("question", ["key", "question"]),
        ("checkout", ["key", "question", "checkout"]),
        ("country", ["key", "question", "checkout", "country"]),
        ("cart", ["key", "question", "checkout", "country", "cart"]),
        ("assistant", ["key", "question", "checkout", "country", "cart", "assistant"]),
    ],
)
async def test_the_first_step_that_takes_the_text_ends_the_route(
    monkeypatch: pytest.MonkeyPatch, taken_by: str, expected: list[str]
) -> None:
    calls = routed(monkeypatch, taken_by)
    await text.on_text(object(), object())  # type: ignore[arg-type]  # the route reads neither
    assert calls == expected
