"""Telegram's webhook: the secret header checked, the update stored in the inbox, then 200."""

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

from inbox.telegram import Sessions, receive, received

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
PATH = "/telegram/webhook"


def telegram_route(
    application: Application[Any, Any, Any, Any, Any, Any],
    secret: str,
    sessions: Sessions,
) -> Route:
    """`POST /telegram/webhook`: 403 without the secret `set_webhook` was given, else 200 once
    the update is committed to the inbox (a repeated update_id is stored once); the inbox
    dispatcher processes it. A database failure answers 503, so Telegram retries."""
    expected = secret.encode()

    async def webhook(request: Request) -> Response:
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
        try:
            await receive(application, sessions, [received(update, data)])
        except Exception:
            log.exception("Telegram webhook: update %d not stored", update.update_id)
            return PlainTextResponse("not stored, retry", status_code=503)
        return PlainTextResponse("ok")

    return Route(PATH, webhook, methods=["POST"])
