"""getMe, getUpdates (offsets, long polling, conflicts) and webhooks with the secret header."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import Response
from telegram import Bot
from telegram.error import Conflict

from bot.standin import StandIn
from tests.bot.standin.conftest import receiver


async def test_get_me_parses_as_ptb_user(bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "chatshop_demo_bot")
    assert me.supports_inline_queries is True


async def test_offset_confirms_earlier_updates(bot: Bot, standin: StandIn) -> None:
    user = standin.user("Ana")
    for word in ("one", "two", "three"):
        await user.send(word)
    first = await bot.get_updates(timeout=0)
    assert [u.message.text for u in first if u.message] == ["one", "two", "three"]
    again = await bot.get_updates(offset=first[1].update_id, timeout=0)
    assert [u.message.text for u in again if u.message] == ["two", "three"]
    assert await bot.get_updates(offset=first[-1].update_id + 1, timeout=0) == ()


async def test_negative_offset_keeps_the_latest(bot: Bot, standin: StandIn) -> None:
    user = standin.user("Ana")
    for word in ("one", "two", "three"):
        await user.send(word)
    latest = await bot.get_updates(offset=-1, timeout=0)
    assert [u.message.text for u in latest if u.message] == ["three"]


async def test_long_poll_returns_when_an_update_arrives(bot: Bot, standin: StandIn) -> None:
    user = standin.user("Ana")
    polling = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not polling.done()
    await user.send("hello")
    updates = await asyncio.wait_for(polling, 2)
    assert updates[0].message is not None and updates[0].message.text == "hello"


async def test_long_poll_times_out_empty(http: httpx.AsyncClient) -> None:
    response = await http.post("getUpdates", data={"timeout": 1})
    assert response.json() == {"ok": True, "result": []}


async def test_second_poller_ends_the_first_with_conflict(http: httpx.AsyncClient) -> None:
    first = asyncio.create_task(http.post("getUpdates", data={"timeout": 5}))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(http.post("getUpdates", data={"timeout": 0}))
    answer = await asyncio.wait_for(first, 2)
    assert answer.status_code == 409
    assert answer.json()["description"].startswith("Conflict: terminated by other getUpdates")
    assert (await second).json()["ok"] is True


async def test_allowed_updates_filters_later_updates(bot: Bot, standin: StandIn) -> None:
    user = standin.user("Ana")
    await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    await user.send("ignored")
    assert await bot.get_updates(timeout=0) == ()


async def test_webhook_delivers_with_secret_header(standin: StandIn, bot: Bot) -> None:
    received: list[tuple[str | None, dict[str, Any]]] = []  # the JSON bodies posted

    async def hook(request: Request) -> Response:
        received.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        return Response(status_code=200)

    user = standin.user("Ana")
    async with receiver(hook) as url:
        assert await bot.set_webhook(url, secret_token="s3cret")
        info = await bot.get_webhook_info()
        assert info.url == url
        await user.send("via webhook")
        await standin.settle(quiet=0.05)
        with_webhook = await _raw_get_updates(standin)
    assert len(received) == 1
    secret, body = received[0]
    assert secret == "s3cret"
    assert body["message"]["text"] == "via webhook"
    assert with_webhook.status_code == 409
    assert await bot.delete_webhook()


async def test_webhook_retries_until_accepted(standin: StandIn, bot: Bot) -> None:
    answers = [500, 200]
    seen: list[int] = []

    async def hook(request: Request) -> Response:
        seen.append((await request.json())["update_id"])
        return Response(status_code=answers.pop(0) if answers else 200)

    user = standin.user("Ana")
    async with receiver(hook) as url:
        await bot.set_webhook(url)
        await user.send("retry me")
        await standin.settle(quiet=0.1)
        info = await bot.get_webhook_info()
    assert len(seen) == 2 and seen[0] == seen[1]
    assert info.pending_update_count == 0
    assert info.last_error_message == "Wrong response from the webhook: 500 Internal Server Error"


async def test_get_updates_refused_while_webhook_set(bot: Bot) -> None:
    await bot.set_webhook("https://example.org/hook")
    try:
        await bot.get_updates(timeout=0)
    except Conflict as error:
        assert "webhook is active" in error.message
    else:
        raise AssertionError("getUpdates should conflict with the webhook")


async def test_set_webhook_answers_with_description(http: httpx.AsyncClient) -> None:
    body = (await http.post("setWebhook", data={"url": "https://example.org/h"})).json()
    assert body == {"ok": True, "result": True, "description": "Webhook was set"}
    again = (await http.post("deleteWebhook")).json()
    assert again["description"] == "Webhook was deleted"


async def test_close_and_log_out_are_harmless(bot: Bot) -> None:
    assert await bot.close()
    assert await bot.log_out()
    assert (await bot.get_me()).username == "chatshop_demo_bot"


async def _raw_get_updates(standin: StandIn) -> httpx.Response:
    token = next(iter(standin.worlds))
    async with httpx.AsyncClient() as client:
        return await client.post(f"{standin.api_url}/bot{token}/getUpdates", data={"timeout": 0})
