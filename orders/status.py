"""The order status machine: one table says which moves exist and who may make them.

```
awaiting_payment ─► paid ─► accepted ─► shipped ─► delivered
   │   │             ▲  │        │          │           │
   │   └► expired ───┤  └────────┴──────────┴───────────┴─► refunded
   └► cancelled ─────┘  (a late payment, only if the stock can be taken again)
```
`advance` is pure (it changes the in-memory `Order` and appends an `OrderEvent`); the callers
that touch the database lock the order row first (`orders.lifecycle`), so two workers never
apply conflicting moves. Moving to the status the order already has is a no-op, so a button
pressed twice, or a webhook delivered twice, changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from db import utcnow
from orders.errors import InvalidTransition, MissingTracking
from orders.models import ActorKind, Order, OrderEvent, OrderStatus

S = OrderStatus
A = ActorKind

# (from, to) -> the kinds of actor allowed to make that move.
TRANSITIONS: dict[tuple[OrderStatus, OrderStatus], frozenset[ActorKind]] = {
    (S.AWAITING_PAYMENT, S.PAID): frozenset({A.PROVIDER, A.SYSTEM}),
    (S.AWAITING_PAYMENT, S.CANCELLED): frozenset({A.BUYER, A.MERCHANT, A.SYSTEM}),
    (S.AWAITING_PAYMENT, S.EXPIRED): frozenset({A.SYSTEM}),
    # A payment link can outlive its reservation (Stripe sessions last at least 30 minutes):
    # the money arrives after expiry or a cancel. `orders.lifecycle` takes the stock again first.
    (S.EXPIRED, S.PAID): frozenset({A.PROVIDER, A.SYSTEM}),
    (S.CANCELLED, S.PAID): frozenset({A.PROVIDER, A.SYSTEM}),
    (S.PAID, S.ACCEPTED): frozenset({A.MERCHANT, A.SYSTEM}),
    (S.ACCEPTED, S.SHIPPED): frozenset({A.MERCHANT, A.SYSTEM}),
    (S.SHIPPED, S.DELIVERED): frozenset({A.BUYER, A.MERCHANT, A.SYSTEM}),
    **{
        (source, S.REFUNDED): frozenset({A.MERCHANT, A.PROVIDER, A.SYSTEM})
        for source in (S.PAID, S.ACCEPTED, S.SHIPPED, S.DELIVERED)
    },
}

# Statuses that hold no stock: entering one from awaiting_payment gives the stock back, and
# leaving one (for paid) must take it again.
RELEASES_STOCK: frozenset[OrderStatus] = frozenset({S.CANCELLED, S.EXPIRED})
CLOSES: frozenset[OrderStatus] = frozenset({S.CANCELLED, S.EXPIRED, S.REFUNDED, S.DELIVERED})
PAID_STATUSES: frozenset[OrderStatus] = frozenset({S.PAID, S.ACCEPTED, S.SHIPPED, S.DELIVERED})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who makes a move: a kind from the table, and an id for the history (user, provider)."""

    kind: ActorKind
    id: str | None = None


SYSTEM_ACTOR = Actor(ActorKind.SYSTEM)


def allowed_moves(status: OrderStatus | str, actor_kind: ActorKind | None = None) -> list[S]:
    """The statuses reachable from `status` in one move (for `actor_kind`, if given).

    Handlers build their buttons from this, so a button is offered only for a legal move.
    """
    source = OrderStatus(status)
    return [
        target
        for (origin, target), actors in TRANSITIONS.items()
        if origin == source and (actor_kind is None or actor_kind in actors)
    ]


def can_advance(status: OrderStatus | str, to: OrderStatus | str, actor_kind: ActorKind) -> bool:
    source, target = OrderStatus(status), OrderStatus(to)
    return source == target or actor_kind in TRANSITIONS.get((source, target), frozenset())


def advance(
    order: Order,
    to: OrderStatus | str,
    *,
    actor: Actor,
    note: str | None = None,
    at: datetime | None = None,
    carrier: str | None = None,
    tracking: str | None = None,
) -> OrderEvent | None:
    """Moves `order` to `to`, recording who did it; `None` if it already was there.

    Raises `InvalidTransition` for a move the table lacks or that `actor` may not make, and
    `MissingTracking` when marking an order shipped without a carrier and tracking number.
    """
    source, target = OrderStatus(order.status), OrderStatus(to)
    if source == target:
        return None
    allowed = TRANSITIONS.get((source, target))
    if allowed is None or actor.kind not in allowed:
        raise InvalidTransition(current=source.value, requested=target.value)
    when = at or utcnow()
    if target == S.SHIPPED:
        carrier, tracking = (carrier or "").strip(), (tracking or "").strip()
        if not carrier or not tracking or len(carrier) > 64 or len(tracking) > 128:
            raise MissingTracking()
        order.carrier, order.tracking, order.shipped_at = carrier, tracking, when
    if target == S.PAID:
        order.paid_at = when
    order.closed_at = when if target in CLOSES else None
    order.status = target.value
    # Linked through the many-to-one side: that never loads `order.events`, which under asyncio
    # would be I/O in disguise. A caller holding a session adds the returned event to it.
    return OrderEvent(
        order=order,
        from_status=source.value,
        to_status=target.value,
        actor_kind=actor.kind.value,
        actor_id=actor.id,
        note=note,
        at=when,
    )
