"""Telegram's webhook: the secret header checked, the update put on the bot's own queue."""

from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram/webhook"


def telegram_route(application: Application[Any, Any, Any, Any, Any, Any], secret: str) -> Route:
    """`POST /telegram/webhook`: 403 without the secret `set_webhook` was given, else 200 once
    the update is queued (PTB's custom-webhook pattern; handling happens in the Application)."""
    expected = secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("Telegram webhook call without the right secret from %s", request.client)
            return PlainTextResponse("forbidden", status_code=403)
        try:
            data = json.loads(await request.body())
            update = Update.de_json(data, application.bot)
        except (ValueError, TypeError, KeyError) as error:
            log.warning("Telegram webhook: unreadable update: %s", error)
            return PlainTextResponse("bad update", status_code=400)
        if update is None:
            return PlainTextResponse("bad update", status_code=400)
        await application.update_queue.put(update)
        return PlainTextResponse("ok")

    return Route(PATH, receive, methods=["POST"])
