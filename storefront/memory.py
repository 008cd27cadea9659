"""What the storefront's buttons need to remember, in the database, per buyer.

A "Next page" button can carry only 64 bytes, so it names its search by a short key; the text
itself is kept here, with the buyer's last few searches. A "which one did you mean?" question
keeps the edit it is asking about here too. Several workers serve one bot, so none of this may
live in process memory.

It is one row of `dialog_states` of its own (channel "storefront", keyed by the customer id),
beside the checkout's row, so remembering a search never disturbs a checkout in progress.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db import utcnow
from orders.cart_language import Ambiguous, EditAction
from orders.dialog import Owner, expect_dialogs, load_dialog, save_dialog

CHANNEL = "storefront"
COUNTRY_QUESTION_TTL = timedelta(minutes=15)
STEP = "storefront"
KEPT_QUERIES = 20  # older "Next" buttons answer "this button has expired"
SEARCH_PREFIX = "s"
CATEGORY_PREFIX = "c"


def query_key(text: str) -> str:
    """A short deterministic key for a search text: "s" and 8 URL-safe characters."""
    digest = hashlib.blake2b(text.encode(), digest_size=6).digest()
    return SEARCH_PREFIX + base64.urlsafe_b64encode(digest).decode().rstrip("=")


def category_key(category: str) -> int:
    """A stable number for a category name (categories have no id of their own), in 31 bits: a
    button's numbers are range-checked to a 32-bit signed column, like every id it carries."""
    digest = hashlib.blake2b(category.encode(), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFF_FFFF


def owner(customer_id: int) -> Owner:
    """Whose dialog the memory is: the customer's (in every chat), not one chat's."""
    return (0, customer_id)


def expect_memory(session: AsyncSession, customer_id: int) -> None:
    """The update may read the memory: its dialogs' first read fetches it too."""
    expect_dialogs(session, owner(customer_id))


async def _load(session: AsyncSession, customer_id: int) -> dict[str, Any]:
    chat_id, user_id = owner(customer_id)
    dialog = await load_dialog(session, channel=CHANNEL, chat_id=chat_id, user_id=user_id)
    return dialog.data if dialog is not None else {}


async def _save(session: AsyncSession, customer_id: int, data: dict[str, Any]) -> None:
    chat_id, user_id = owner(customer_id)
    await save_dialog(
        session, channel=CHANNEL, chat_id=chat_id, user_id=user_id, step=STEP, data=data
    )


def _with_query(data: dict[str, Any], key: str, text: str) -> None:
    queries = {k: v for k, v in dict(data.get("queries") or {}).items() if k != key}
    queries[key] = text  # newest last
    data["queries"] = dict(list(queries.items())[-KEPT_QUERIES:])


async def recall_query(session: AsyncSession, *, customer_id: int, key: str) -> str | None:
    queries = (await _load(session, customer_id)).get("queries") or {}
    text = queries.get(key)
    return text if isinstance(text, str) else None


async def remember_results(
    session: AsyncSession,
    *,
    customer_id: int,
    key: str,
    page: int,
    colours: tuple[str, ...] = (),
    sizes: tuple[str, ...] = (),
    quantity: int = 1,
    text: str | None = None,
) -> None:
    """The result list the buyer saw last, and what it asked for: a card opened from it offers
    "back to results" and starts on the asked colour, size and quantity. With `text`, the
    search itself is kept among the buyer's recent ones, in the same single write."""
    data = await _load(session, customer_id)
    if text is not None:
        _with_query(data, key, text)
    data["last"] = {
        "key": key,
        "page": page,
        "colours": list(colours),
        "sizes": list(sizes),
        "quantity": quantity,
    }
    await _save(session, customer_id, data)


@dataclass(frozen=True, slots=True)
class LastResults:
    key: str
    page: int
    colours: tuple[str, ...] = ()
    sizes: tuple[str, ...] = ()
    quantity: int = 1


async def last_results(session: AsyncSession, *, customer_id: int) -> LastResults | None:
    last = (await _load(session, customer_id)).get("last")
    if not isinstance(last, dict):
        return None
    try:
        return LastResults(
            str(last["key"]),
            int(last["page"]),
            tuple(str(c) for c in last["colours"]),
            tuple(str(s) for s in last["sizes"]),
            int(last["quantity"]),
        )
    except (KeyError, TypeError, ValueError):  # none yet, or an old record
        return None


async def remember_pending_edit(
    session: AsyncSession, *, customer_id: int, edit: Ambiguous
) -> None:
    data = await _load(session, customer_id)
    data["pending_edit"] = {
        "action": edit.action.value,
        "quantity": edit.quantity,
        "line_ids": list(edit.line_ids),
    }
    await _save(session, customer_id, data)


async def take_pending_edit(session: AsyncSession, *, customer_id: int) -> Ambiguous | None:
    """The edit waiting for "which one?", removed as it is read (a second press finds none)."""
    data = await _load(session, customer_id)
    pending = data.pop("pending_edit", None)
    if pending is None:
        return None
    await _save(session, customer_id, data)
    try:
        quantity = pending["quantity"]
        return Ambiguous(
            EditAction(pending["action"]),
            int(quantity) if quantity is not None else None,
            tuple(int(line_id) for line_id in pending["line_ids"]),
        )
    except (KeyError, TypeError, ValueError):  # an old or damaged record: ask again
        return None


async def remember_country_question(session: AsyncSession, *, customer_id: int) -> None:
    """The cart asked which country delivery goes to: the buyer's next text may answer it."""
    data = await _load(session, customer_id)
    data["asking_country"] = utcnow().isoformat()
    await _save(session, customer_id, data)


async def take_country_question(session: AsyncSession, *, customer_id: int) -> bool:
    """True once if the country question is waiting (it is forgotten as it is read).

    A question older than `COUNTRY_QUESTION_TTL` is forgotten: the buyer moved on.
    """
    data = await _load(session, customer_id)
    asked = data.pop("asking_country", None)
    if asked is None:
        return False
    await _save(session, customer_id, data)
    try:
        when = datetime.fromisoformat(str(asked))
    except ValueError:
        return False
    return utcnow() - when <= COUNTRY_QUESTION_TTL
