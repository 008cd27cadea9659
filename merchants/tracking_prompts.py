"""Which order each "send the tracking number" prompt in a shop's chat asks about.

With privacy mode on (BotFather's default) a bot in a group sees only commands and replies to
its own messages, so the prompt asks for a reply (the channel's forced reply), and the reply
says which prompt, hence which order, it answers: staff can have several orders' prompts open,
and any staff member may answer any of them. Typed answers without a reply still go to the
presser's own last prompt (`desk.SHIP_STEP`), for chats where the bot reads every message.
A prompt stays open after it is answered: replying to it again with another number corrects the
tracking of the shipped order (as "Correct tracking" does), and the buyer is told the new link.

The prompts of one chat are one dialog row (updates of one chat are handled in order, so the
read-modify-write below never races), the most recent `MAX_OPEN` kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from orders.dialog import load_dialog, save_dialog

CHANNEL: Final = "telegram:track"
_CHAT_WIDE: Final = 0  # the row belongs to the chat, not to one user
_STEP: Final = "open"
MAX_OPEN: Final = 50
MAX_AGE: Final = timedelta(days=7)  # idle that long, the chat's open prompts are forgotten


@dataclass(frozen=True, slots=True)
class Prompt:
    order_id: int
    notice_message_id: int | None  # the order's notice, to edit once it ships


async def _open(session: AsyncSession, chat_id: int, now: datetime) -> dict[str, list[int | None]]:
    dialog = await load_dialog(session, channel=CHANNEL, chat_id=chat_id, user_id=_CHAT_WIDE,
                               max_idle=MAX_AGE, now=now)  # fmt: skip
    prompts = dialog.data.get("prompts", {}) if dialog is not None else {}
    return prompts if isinstance(prompts, dict) else {}


async def remember(
    session: AsyncSession, *, chat_id: int, message_id: int, prompt: Prompt, now: datetime
) -> None:
    """The bot sent `message_id` in `chat_id` asking for `prompt.order_id`'s tracking."""
    prompts = await _open(session, chat_id, now)
    prompts[str(message_id)] = [prompt.order_id, prompt.notice_message_id]
    kept = dict(sorted(prompts.items(), key=lambda item: int(item[0]))[-MAX_OPEN:])
    await save_dialog(session, channel=CHANNEL, chat_id=chat_id, user_id=_CHAT_WIDE,
                      step=_STEP, data={"prompts": kept}, now=now)  # fmt: skip


async def answered(
    session: AsyncSession, *, chat_id: int, message_id: int, now: datetime
) -> Prompt | None:
    """The prompt `message_id` is, if it is one still open in the chat."""
    found = (await _open(session, chat_id, now)).get(str(message_id))
    if not isinstance(found, list) or len(found) != 2 or not isinstance(found[0], int):
        return None
    notice = found[1] if isinstance(found[1], int) else None
    return Prompt(found[0], notice)
