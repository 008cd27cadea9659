"""getMe and getting updates: long polling, webhooks, and the conflicts between them."""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import urlsplit

from bot.standin.errors import OTHER_GETUPDATES, ApiError, bad_request, too_many_requests
from bot.standin.params import Answer, Method, Params
from bot.standin.state import DEFAULT_ALLOWED, Webhook, World

LONG_POLL_MAX_TIMEOUT = 50
_SECRET = re.compile(r"^[A-Za-z0-9_-]*$")


async def get_me(world: World, p: Params) -> dict[str, Any]:
    me = world.bot.to_json()
    me.update(
        can_join_groups=True,
        can_read_all_group_messages=not world.privacy_mode,
        supports_inline_queries=world.inline_mode,
        can_connect_to_business=False,
        has_main_web_app=False,
    )
    return me


async def log_out(world: World, p: Params) -> bool:
    return True


async def get_updates(world: World, p: Params) -> list[dict[str, Any]]:
    world.check_no_webhook()
    world.stop_polling("superseded")  # only one getUpdates at a time, even a non-waiting one
    limit = min(max(p.int("limit", 100), 1), 100)
    timeout = min(max(p.int("timeout"), 0), LONG_POLL_MAX_TIMEOUT)
    world.set_allowed_updates(p.get("allowed_updates"))
    world.confirm(p.int("offset"))
    deadline = time.monotonic() + timeout
    while not world.updates and not world.closing:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        reason = await world.long_poll(remaining)
        if reason == "superseded":
            raise ApiError(409, OTHER_GETUPDATES)
        if reason == "webhook":
            raise ApiError(409, "Conflict: terminated by setWebhook request")
        if reason != "updates":
            break
    batch = world.updates[:limit]
    if batch:
        world.fetched_up_to = max(world.fetched_up_to, batch[-1].update_id)
    return [update.to_json() for update in batch]


async def set_webhook(world: World, p: Params) -> Answer:
    url = p.get("url")
    if not url:
        return await delete_webhook(world, p)
    secret = p.get("secret_token") or ""
    max_connections = min(max(p.int("max_connections", 40), 1), 100)
    drop = p.bool("drop_pending_updates")
    current = world.webhook
    if (
        current is not None
        and (current.url, current.secret_token, current.max_connections)
        == (url, secret, max_connections)
        and not drop
    ):
        world.set_allowed_updates(p.get("allowed_updates"))
        return Answer(True, "Webhook is already set")
    if time.monotonic() - world.webhook_set_at < 1:
        raise too_many_requests(1)  # the real server allows one change per second
    world.webhook_set_at = time.monotonic()
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise bad_request("invalid webhook URL specified")
    if len(secret) > 256:
        raise bad_request("secret token is too long")
    if not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    world.stop_polling("webhook")
    if drop:
        world.drop_pending()
    world.set_allowed_updates(p.get("allowed_updates"))
    world.webhook = Webhook(parts.geturl(), secret, max_connections)
    world.webhook_changed.set()
    return Answer(True, "Webhook was set")


async def delete_webhook(world: World, p: Params) -> Answer:
    if p.bool("drop_pending_updates"):
        world.drop_pending()
    if world.webhook is None:
        return Answer(True, "Webhook is already deleted")
    world.webhook = None
    world.webhook_changed.set()
    return Answer(True, "Webhook was deleted")


async def get_webhook_info(world: World, p: Params) -> dict[str, Any]:
    webhook = world.webhook
    info: dict[str, Any] = {
        "url": webhook.url if webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(world.updates),
    }
    if webhook is not None:
        if webhook.last_error_date is not None:
            info["last_error_date"] = webhook.last_error_date
            info["last_error_message"] = webhook.last_error_message
        info["max_connections"] = webhook.max_connections
        info["ip_address"] = "127.0.0.1"
    if world.allowed_updates != DEFAULT_ALLOWED:
        info["allowed_updates"] = sorted(world.allowed_updates)
    return info


METHODS: dict[str, Method] = {
    "getMe": get_me,
    "logOut": log_out,
    "close": log_out,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
}
