"""`handlers.text.on_text`: checkout first, then plain-words cart edits, then search."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest

from handlers import checkout, text


class Calls(list[str]):
    def recorder(self, name: str, result: bool | None = None) -> Any:
        async def record(_update: Any, _context: Any) -> bool | None:
            self.append(name)
            return result

        return record


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> Calls:
    found = Calls()
    search = types.ModuleType("handlers.search")
    search.search_text = found.recorder("search")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "handlers.search", search)
    return found


def cart_module(monkeypatch: pytest.MonkeyPatch, calls: Calls, *, handled: bool) -> None:
    module = types.ModuleType("handlers.cart")
    module.handle_cart_words = calls.recorder("cart", handled)  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "handlers.cart", module)


async def test_an_active_checkout_takes_the_text(
    monkeypatch: pytest.MonkeyPatch, calls: Calls
) -> None:
    monkeypatch.setattr(checkout, "answer_text", calls.recorder("checkout", True))
    cart_module(monkeypatch, calls, handled=True)
    await text.on_text(object(), object())  # type: ignore[arg-type]
    assert calls == ["checkout"]


async def test_cart_words_come_before_search(monkeypatch: pytest.MonkeyPatch, calls: Calls) -> None:
    monkeypatch.setattr(checkout, "answer_text", calls.recorder("checkout", False))
    cart_module(monkeypatch, calls, handled=True)
    await text.on_text(object(), object())  # type: ignore[arg-type]
    assert calls == ["checkout", "cart"]


async def test_anything_else_is_a_search(monkeypatch: pytest.MonkeyPatch, calls: Calls) -> None:
    monkeypatch.setattr(checkout, "answer_text", calls.recorder("checkout", False))
    cart_module(monkeypatch, calls, handled=False)
    await text.on_text(object(), object())  # type: ignore[arg-type]
    assert calls == ["checkout", "cart", "search"]


async def test_without_the_cart_module_text_goes_to_search(
    monkeypatch: pytest.MonkeyPatch, calls: Calls
) -> None:
    monkeypatch.setattr(checkout, "answer_text", calls.recorder("checkout", False))
    monkeypatch.setitem(sys.modules, "handlers.cart", None)  # import raises ModuleNotFoundError
    await text.on_text(object(), object())  # type: ignore[arg-type]
    assert calls == ["checkout", "search"]
