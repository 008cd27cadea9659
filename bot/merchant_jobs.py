"""The shop's scheduled messages: low-stock alerts, and a daily digest in the morning.

Both are PTB jobs on every worker; both only *owe* messages through the outbox with dedupe
keys, so several workers (or a job run twice) owe each message once, and the outbox sender
delivers it with its retries and rate limits.

- Low stock: every `LOW_STOCK_EVERY` the tracked variants at or below the threshold are scanned
  (`merchants.commands.low_stock_alerts`); the key names the order that crossed the threshold,
  so one crossing is one alert, and a restock and a new crossing is a new one.
- The digest: every hour, each shop with an order chat whose `digest_hour` (UTC) has come is
  owed today's digest; the key names the shop and the day, so it goes out once a day, at the
  first run from that hour (a worker that was down at that hour catches up later).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from telegram.ext import Application

from bot.context import ShopContext
from bot.database import SessionFactory, transaction
from conversation.views import merchant_commands as views
from db import utcnow
from i18n import negotiate_locale, translator
from merchants.commands import (
    LOW_STOCK_THRESHOLD,
    Waiting,
    low_stock_alerts,
    shops_with_chats,
    stock_overview,
    waiting_orders,
)
from merchants.sales import sales_report
from outbox import enqueue
from outbox.telegram import deliver_owed

log = logging.getLogger(__name__)
LOW_STOCK_EVERY = dt.timedelta(minutes=2)
DIGEST_EVERY = dt.timedelta(hours=1)


async def owe_low_stock_alerts(
    sessions: SessionFactory, *, threshold: int = LOW_STOCK_THRESHOLD
) -> int:
    """Writes the low-stock alerts not owed before; how many were new."""
    written = 0
    async with transaction(sessions) as session:
        for alert in await low_stock_alerts(session, threshold=threshold):
            t = translator(negotiate_locale(alert.language))
            written += await enqueue(
                session, dedupe_key=alert.dedupe_key, chat_id=alert.chat_id,
                reply=views.low_stock_alert(t, alert),
            )  # fmt: skip
    return written


async def owe_daily_digests(sessions: SessionFactory, *, now: dt.datetime | None = None) -> int:
    """Writes today's digest for every shop whose digest hour has come and has something to say."""
    now = now or utcnow()
    utc = now.astimezone(dt.UTC) if now.tzinfo else now
    day = utc.date()
    written = 0
    async with transaction(sessions) as session:
        for shop in await shops_with_chats(session):
            if utc.hour < shop.settings.digest_hour:
                continue
            report = await sales_report(session, merchant_id=shop.merchant.id,
                                        currency=shop.merchant.currency, now=now)  # fmt: skip
            waiting = await waiting_orders(session, shop=shop)
            low = (await stock_overview(session, shop=shop, limit=0)).low_count
            if not any(d.count for d in report.days) and not low and waiting == Waiting(0, 0):
                continue  # a dormant shop is not woken every morning
            t = translator(negotiate_locale(shop.language))
            assert shop.settings.notify_chat_id is not None
            written += await enqueue(
                session, dedupe_key=f"digest:{shop.merchant.id}:{day.isoformat()}",
                chat_id=shop.settings.notify_chat_id,
                reply=views.digest(t, shop.merchant.name, report, waiting, low),
            )  # fmt: skip
    return written


async def _low_stock_job(context: ShopContext) -> None:
    if await owe_low_stock_alerts(context.services.sessions):
        await deliver_owed(context.application)


async def _digest_job(context: ShopContext) -> None:
    written = await owe_daily_digests(context.services.sessions)
    log.info("daily digests owed: %d", written)
    if written:
        await deliver_owed(context.application)


def schedule_merchant_jobs(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """Schedules both jobs on PTB's JobQueue (none without the [job-queue] extra: logged)."""
    if application.job_queue is None:
        log.warning("no job queue: low-stock alerts and daily digests are off")
        return
    application.job_queue.run_repeating(
        _low_stock_job, interval=LOW_STOCK_EVERY, first=LOW_STOCK_EVERY, name="low stock alerts"
    )
    application.job_queue.run_repeating(
        _digest_job, interval=DIGEST_EVERY, first=dt.timedelta(minutes=1), name="daily digests"
    )
