"""Webhook delivery: POSTs each queued update to the bot's URL, in order, until it is accepted.

Like Telegram, an update counts as delivered on any 2xx answer; anything else (or no answer) is
recorded as the webhook's last error (getWebhookInfo shows it) and retried after a pause that
grows up to a second, so a bot that registers its webhook before listening still gets everything.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import httpx

from bot.standin.records import now
from bot.standin.state import World

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_FIRST_PAUSE = 0.05
_LONGEST_PAUSE = 1.0


async def deliver_forever(world: World, on_activity: Callable[[], None]) -> None:
    """Runs until cancelled; `on_activity` marks each delivery attempt for `StandIn.settle`."""
    pause = _FIRST_PAUSE
    async with httpx.AsyncClient(timeout=10, trust_env=False) as client:
        while not world.closing:
            webhook = world.webhook
            if webhook is None or not world.updates:
                world.webhook_changed.clear()
                await world.webhook_changed.wait()
                continue
            update = world.updates[0]
            headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
            on_activity()
            try:
                response = await client.post(webhook.url, json=update.to_json(), headers=headers)
                error = (
                    None
                    if response.is_success
                    else f"Wrong response from the webhook: {response.status_code} "
                    f"{response.reason_phrase}"
                )
            except httpx.HTTPError as exc:
                error = f"Connection failed: {type(exc).__name__}"
            on_activity()
            if error is None:
                pause = _FIRST_PAUSE
                world.fetched_up_to = max(world.fetched_up_to, update.update_id)
                if update in world.updates:
                    world.updates.remove(update)
                continue
            webhook.last_error_date = now()
            webhook.last_error_message = error
            world.webhook_changed.clear()
            with contextlib.suppress(TimeoutError):  # a new webhook or update ends the pause
                await asyncio.wait_for(world.webhook_changed.wait(), pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
