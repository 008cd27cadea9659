"""The HTTP surface: routing, authorisation, parameter encodings and injected faults."""

from __future__ import annotations

import json
import os

import httpx
import pytest
from telegram import Bot
from telegram.error import NetworkError, RetryAfter

from bot.settings import DEMO_TOKEN
from bot.standin import StandIn, User
from bot.standin.faults import FloodControl
from tests.e2e.workers import owner_of_port


async def test_wrong_token_is_unauthorized(standin: StandIn) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.get(f"{standin.api_url}/bot123:wrong/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_not_found(http: httpx.AsyncClient) -> None:
    response = await http.post("sendTelepathy")
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_method_names_ignore_case_like_telegram(http: httpx.AsyncClient) -> None:
    response = await http.get("GETME")
    assert response.json()["result"]["username"] == "chatshop_demo_bot"


@pytest.mark.parametrize("encoding", ["query", "form", "json", "multipart"])
async def test_every_parameter_encoding_is_read(
    http: httpx.AsyncClient, ana: User, encoding: str
) -> None:
    params = {
        "chat_id": str(ana.id),
        "text": "hello",
        "reply_markup": json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}),
    }
    if encoding == "query":
        response = await http.get("sendMessage", params=params)
    elif encoding == "form":
        response = await http.post("sendMessage", data=params)
    elif encoding == "json":
        body = {**params, "chat_id": ana.id, "reply_markup": json.loads(params["reply_markup"])}
        response = await http.post("sendMessage", json=body)
    else:
        response = await http.post("sendMessage", data=params, files={"x": ("x.txt", b"x")})
    result = response.json()["result"]
    assert result["text"] == "hello"
    assert result["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    assert ana.chat.last is not None and ana.chat.last.buttons == [[("A", "a")]]


async def test_injected_429_carries_retry_after(
    standin: StandIn, http: httpx.AsyncClient, ana: User
) -> None:
    standin.inject_fault("sendMessage", status=429, retry_after=7)
    first = await http.post("sendMessage", data={"chat_id": ana.id, "text": "hi"})
    second = await http.post("sendMessage", data={"chat_id": ana.id, "text": "hi"})
    assert first.status_code == 429
    assert first.json() == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert second.json()["ok"] is True  # times=1


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB's own
async def test_fault_limited_to_one_chat(standin: StandIn, bot: Bot, ana: User) -> None:
    bea = standin.user("Bea")
    await bea.send("/start")
    standin.inject_fault("sendMessage", status=429, retry_after=3, chat=ana.chat, times=None)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(ana.id, "hi")
    assert "Retry in 3 seconds" in caught.value.message
    assert (await bot.send_message(bea.id, "hi")).text == "hi"


async def test_gateway_error_is_nginx_html(
    standin: StandIn, bot: Bot, http: httpx.AsyncClient
) -> None:
    standin.inject_fault("getMe", status=502, times=2)
    raw = await http.get("getMe")
    assert raw.status_code == 502
    assert "<center><h1>502 Bad Gateway</h1></center>" in raw.text
    with pytest.raises(NetworkError):
        await bot.get_me()
    assert (await bot.get_me()).username == "chatshop_demo_bot"


async def test_slow_answer_still_answers(standin: StandIn, http: httpx.AsyncClient) -> None:
    fault = standin.inject_fault("getMe", delay=0.2)
    response = await http.get("getMe")
    assert response.json()["ok"] is True
    assert fault.hits == 1


async def test_settle_waits_for_the_bot_to_fetch(standin: StandIn, http: httpx.AsyncClient) -> None:
    user = standin.user("Cid")
    await user.send("hello")
    with pytest.raises(TimeoutError, match="1 update"):
        await standin.settle(quiet=0.05, timeout=0.2)
    await http.post("getUpdates", data={"timeout": 0})
    await standin.settle(quiet=0.05, timeout=2)


async def test_two_bots_are_separate_worlds(standin: StandIn) -> None:
    other = "654321:another-token-for-the-stand-in"
    standin.add_bot(other, username="other_bot")
    async with httpx.AsyncClient(base_url=standin.api_url) as client:
        mine = await client.get(f"/bot{DEMO_TOKEN}/getMe")
        theirs = await client.get(f"/bot{other}/getMe")
    assert mine.json()["result"]["id"] == 123456
    assert theirs.json()["result"]["username"] == "other_bot"


async def test_a_fault_records_which_connection_made_the_request(
    standin: StandIn, http: httpx.AsyncClient
) -> None:
    fault = standin.inject_fault("getMe", delay=0.01)
    await http.get("getMe")

    # The client port belongs to this process: that is how a test finds the worker that sent.
    assert len(fault.peers) == 1
    assert owner_of_port([os.getpid()], fault.peers[0]) == os.getpid()
    assert owner_of_port([os.getpid()], 1) is None


async def test_flood_control_refuses_sends_beyond_the_limit_in_a_second(
    standin: StandIn, http: httpx.AsyncClient, ana: User
) -> None:
    standin.flood = FloodControl(2)
    try:
        answers = [
            await http.post("sendMessage", data={"chat_id": ana.id, "text": f"hi {n}"})
            for n in range(3)
        ]
        me = await http.get("getMe")  # not a send: never counted
    finally:
        flood, standin.flood = standin.flood, None

    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json()["parameters"] == {"retry_after": 1}
    assert me.status_code == 200
    assert flood.refused == 1
    assert [m.text for m in ana.chat.bot_messages][-2:] == ["hi 0", "hi 1"]


def test_flood_control_counts_a_sliding_second() -> None:
    flood = FloodControl(2)

    admitted = [flood.admit(moment) for moment in (0.0, 0.5, 0.9, 1.0, 1.4, 1.5)]

    # 0.9 is the third within a second; at 1.0 the first has left the window, at 1.5 the second
    assert admitted == [True, True, False, True, False, True]
    assert flood.refused == 2
    assert FloodControl.counts("sendMessage", "5") and FloodControl.counts("editMessageText", "5")
    assert not FloodControl.counts("getMe", None) and not FloodControl.counts("getChat", "5")
