"""Payment providers' webhooks: verify, hand the event to the bot, answer once it is settled.

Answers: 200 once the event is committed (also for a replay, or an event type we ignore);
400 with a log line when it is refused (bad signature, old timestamp, unreadable body, unknown
order, wrong amount or currency): nothing changed, and an unchanged retry is refused again;
404 for a merchant without that provider; 503 when the bot could not settle it in time or
failed to (the provider retries, and the ledger's unique event id makes the retry safe).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.database import SessionFactory, transaction
from db import utcnow
from handlers.payment_updates import PaymentUpdate
from merchants.payment_providers import PaymentDirectory
from payments import Provider, WebhookRejected, verify_webhook
from payments.settlement import Settlement, buyer_chat_of

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 256 * 1024  # Stripe's events are a few KiB; anything this large is not one
SETTLE_TIMEOUT_SECONDS = 20.0  # below providers' own timeouts (Stripe waits ~30 s)


class Refused(Exception):
    """The notification changes nothing; `status` is the HTTP answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


@dataclass
class PaymentInbox:
    """Where verified events enter the bot: the Application's update queue."""

    sessions: SessionFactory
    queue: asyncio.Queue[object]
    timeout_seconds: float = SETTLE_TIMEOUT_SECONDS

    async def deliver(
        self, provider: Provider, headers: Mapping[str, str], body: bytes
    ) -> Settlement | None:
        """Verify, queue, wait for the settlement; None for an event type we ignore.

        Raises `Refused`. The sandbox's Pay button calls this too: the same path as a provider.
        """
        try:
            async with transaction(self.sessions) as session:
                event = await verify_webhook(session, provider, headers, body, now=utcnow())
                number = event.order_number if event.kind else None
                chat = await buyer_chat_of(session, number) if number else None
        except WebhookRejected as error:  # the ledger has logged it
            raise Refused(400, type(error).__name__) from error
        if event.kind is None:
            return None
        update = PaymentUpdate(event, chat)
        await self.queue.put(update)
        try:
            return await asyncio.wait_for(asyncio.shield(update.done), self.timeout_seconds)
        except TimeoutError:
            # Still queued: it may settle later, and the provider's retry is then a replay.
            update.done.add_done_callback(_consume)
            log.warning("%s event %s not settled in time", provider.name, event.event_id)
            raise Refused(503, "not settled in time, retry") from None
        except WebhookRejected as error:  # the checkout changed between verifying and settling
            raise Refused(400, type(error).__name__) from error
        except Exception as error:
            log.warning("%s event %s failed: %r", provider.name, event.event_id, error)
            raise Refused(503, "could not be processed, retry") from error


def _consume(future: asyncio.Future[Settlement]) -> None:
    """Marks a late failure as seen (asyncio would warn); the error handler has logged it."""
    if not future.cancelled():
        future.exception()


async def _answer(inbox: PaymentInbox, provider: Provider | None, request: Request) -> Response:
    if provider is None:
        log.warning("payment webhook for an unknown provider at %s", request.url.path)
        return PlainTextResponse("no such provider", status_code=404)
    body = await request.body()
    if len(body) > MAX_BODY_BYTES:
        log.warning("payment webhook at %s: body of %d bytes refused", request.url.path, len(body))
        return PlainTextResponse("too large", status_code=413)
    try:
        settlement = await inbox.deliver(provider, request.headers, body)
    except Refused as refusal:
        log.warning("payment webhook at %s refused (%d): %s", request.url.path, refusal.status,
                    refusal.reason)  # fmt: skip
        headers = {"Retry-After": "5"} if refusal.status == 503 else None
        return PlainTextResponse(refusal.reason, status_code=refusal.status, headers=headers)
    return PlainTextResponse("ignored" if settlement is None else settlement.outcome.status.value)


def payment_routes(inbox: PaymentInbox, directory: PaymentDirectory) -> list[Route]:
    """One path per provider and merchant: the URL says whose secret verifies the payload."""

    async def stripe_webhook(request: Request) -> Response:
        # The merchant's own Stripe secret when it set one, else the platform's.
        async with inbox.sessions() as session:
            provider = await directory.stripe_for(session, request.path_params["merchant"])
        return await _answer(inbox, provider, request)

    async def link_webhook(request: Request) -> Response:
        # The merchant's own secret, from its stored settings: never one the payload names.
        async with inbox.sessions() as session:
            provider = await directory.link_for(session, request.path_params["merchant"])
        return await _answer(inbox, provider, request)

    async def sandbox_webhook(request: Request) -> Response:
        return await _answer(inbox, directory.sandbox, request)

    return [
        Route("/payments/stripe/{merchant}", stripe_webhook, methods=["POST"]),
        Route("/payments/link/{merchant}", link_webhook, methods=["POST"]),
        Route("/payments/sandbox", sandbox_webhook, methods=["POST"]),
    ]
