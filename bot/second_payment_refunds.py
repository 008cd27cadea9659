"""Second payments never wait forever: a PTB job on every worker gives back what is still owed.

A second payment is owed back in the transaction of its event and refunded right after by the
update that settled it (`handlers.payment_updates`). This job finishes what that could not: the
provider was unreachable, or the worker died between the commit and the refund. Running it on
every worker is safe: a payment moves on from `owed` once (`payments.second_payments.settle`)
and the provider's refund is asked with a stable reference, so two workers refund it once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from telegram.ext import Application

from bot.context import ShopContext
from handlers.payment_updates import give_back_second_payments
from outbox.telegram import deliver_owed

EVERY = dt.timedelta(minutes=1)


async def _job(context: ShopContext) -> None:
    if await give_back_second_payments(context.services):
        await deliver_owed(context.application)


def schedule_second_payment_refunds(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            _job, interval=EVERY, first=dt.timedelta(seconds=5), name="give back second payments"
        )
