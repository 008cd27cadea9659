"""A named worker, starting, takes back what its previous process still held.

With `CHATSHOP_WORKER_NAME` set, every claim token the worker writes starts with its name
(`db.leases`). A worker starting under that name is the same worker restarted: the process that
wrote those tokens is dead (two live workers never share a name), so the inbox updates and
outbox messages still claimed under it are released now, before the dispatcher and the sender
start, rather than after their leases (10 s, 15 s) run out.
"""

from __future__ import annotations

import logging

from bot.database import SessionFactory, transaction
from db import utcnow
from inbox.store import release_worker as release_inbox
from outbox.claims import release_worker as release_outbox

log = logging.getLogger(__name__)


async def release_previous_claims(sessions: SessionFactory, worker: str | None) -> tuple[int, int]:
    """Releases the rows claimed under `worker`'s name; (inbox updates, outbox messages).
    Without a name nothing is released: nothing tells a dead worker's rows from a live one's."""
    if worker is None:
        return 0, 0
    async with transaction(sessions) as session:
        updates = await release_inbox(session, worker)
        messages = await release_outbox(session, worker, now=utcnow())
    # A warning when there was something: the worker died holding work (seen at the default
    # level); the message holds counts and the worker's name only.
    log.log(
        logging.WARNING if updates or messages else logging.INFO,
        "worker %s starting: released %d inbox update(s) and %d outbox message(s) still "
        "claimed by its previous process",
        worker,
        updates,
        messages,
    )
    return updates, messages
