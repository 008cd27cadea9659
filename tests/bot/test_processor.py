import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.processor import PerChatUpdateProcessor


def _update(update_id: int, chat_id: int) -> Update:
    user = User(id=chat_id, first_name="A", is_bot=False)
    chat = Chat(id=chat_id, type="private")
    date = datetime(2025, 3, 10, tzinfo=UTC)
    message = Message(message_id=update_id, date=date, chat=chat, from_user=user, text="x")
    return Update(update_id=update_id, message=message)


async def test_one_chat_in_order_other_chats_in_parallel() -> None:
    processor = PerChatUpdateProcessor(max_concurrent_updates=16)
    log: list[tuple[str, int]] = []
    release_first = asyncio.Event()

    async def work(update_id: int, chat_id: int) -> None:
        log.append(("start", update_id))
        if update_id == 1:
            await release_first.wait()  # chat 100's first update is slow
        log.append(("end", update_id))

    tasks = [
        asyncio.create_task(processor.process_update(_update(1, 100), work(1, 100))),
        asyncio.create_task(processor.process_update(_update(2, 100), work(2, 100))),
        asyncio.create_task(processor.process_update(_update(3, 200), work(3, 200))),
    ]
    await asyncio.sleep(0.05)
    # Chat 200 finished while chat 100's first update still runs; chat 100's second waits.
    assert ("end", 3) in log and ("start", 2) not in log
    release_first.set()
    await asyncio.gather(*tasks)
    assert log.index(("end", 1)) < log.index(("start", 2))
    assert not processor._locks  # idle chats leave nothing behind
