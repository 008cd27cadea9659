"""The order status machine: legal moves only, idempotent repeats, a history of every move."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orders.errors import InvalidTransition, MissingTracking
from orders.models import ActorKind, Order, OrderStatus
from orders.status import TRANSITIONS, Actor, advance, allowed_moves, can_advance
from tests.orders.factories import NOW

S = OrderStatus
BUYER = Actor(ActorKind.BUYER, "7")
MERCHANT = Actor(ActorKind.MERCHANT, "1")
PROVIDER = Actor(ActorKind.PROVIDER, "stripe")
SYSTEM = Actor(ActorKind.SYSTEM)


def new_order() -> Order:
    return Order(number="ABC-DEF", status=S.AWAITING_PAYMENT.value, events=[])


def test_happy_path_records_history_and_timestamps() -> None:
    order = new_order()
    advance(order, S.PAID, actor=PROVIDER, at=NOW)
    advance(order, S.ACCEPTED, actor=MERCHANT, at=NOW)
    advance(order, S.SHIPPED, actor=MERCHANT, at=NOW, carrier="DHL", tracking="JD0146")
    advance(order, S.DELIVERED, actor=BUYER, at=NOW)
    assert order.status == "delivered"
    assert (order.paid_at, order.shipped_at, order.closed_at) == (NOW, NOW, NOW)
    assert (order.carrier, order.tracking) == ("DHL", "JD0146")
    assert [(e.from_status, e.to_status, e.actor_kind) for e in order.events] == [
        ("awaiting_payment", "paid", "provider"),
        ("paid", "accepted", "merchant"),
        ("accepted", "shipped", "merchant"),
        ("shipped", "delivered", "buyer"),
    ]


def test_repeated_move_is_a_noop() -> None:
    order = new_order()
    assert advance(order, S.PAID, actor=PROVIDER) is not None
    assert advance(order, S.PAID, actor=PROVIDER) is None
    assert len(order.events) == 1


@pytest.mark.parametrize(
    ("start", "to", "actor"),
    [
        (S.AWAITING_PAYMENT, S.PAID, BUYER),  # a buyer cannot mark their own order paid
        (S.AWAITING_PAYMENT, S.SHIPPED, MERCHANT),  # no skipping payment
        (S.PAID, S.CANCELLED, BUYER),  # paid orders are refunded, not cancelled
        (S.PAID, S.AWAITING_PAYMENT, SYSTEM),
        (S.AWAITING_PAYMENT, S.EXPIRED, BUYER),
        (S.REFUNDED, S.PAID, PROVIDER),
        (S.DELIVERED, S.SHIPPED, MERCHANT),
        (S.CANCELLED, S.ACCEPTED, MERCHANT),
    ],
)
def test_illegal_moves_raise_and_change_nothing(start: S, to: S, actor: Actor) -> None:
    order = Order(number="ABC-DEF", status=start.value, events=[])
    with pytest.raises(InvalidTransition) as raised:
        advance(order, to, actor=actor)
    assert order.status == start.value and order.events == []
    assert raised.value.params == {"current": start.value, "requested": to.value}


def test_shipping_needs_carrier_and_tracking() -> None:
    order = Order(number="ABC-DEF", status=S.ACCEPTED.value, events=[])
    for carrier, tracking in ((None, None), ("DHL", " "), ("", "123"), ("x" * 65, "1")):
        with pytest.raises(MissingTracking):
            advance(order, S.SHIPPED, actor=MERCHANT, carrier=carrier, tracking=tracking)
    assert order.status == "accepted"


def test_allowed_moves_drive_the_buttons() -> None:
    assert allowed_moves(S.AWAITING_PAYMENT, ActorKind.BUYER) == [S.CANCELLED]
    assert allowed_moves(S.PAID, ActorKind.BUYER) == []
    assert set(allowed_moves(S.ACCEPTED, ActorKind.MERCHANT)) == {S.SHIPPED, S.REFUNDED}


ACTORS = [BUYER, MERCHANT, PROVIDER, SYSTEM]


@given(st.lists(st.tuples(st.sampled_from(list(S)), st.sampled_from(ACTORS)), max_size=40))
def test_random_presses_never_reach_an_illegal_state(moves: list[tuple[S, Actor]]) -> None:
    order = new_order()
    expected_events = 0
    for target, actor in moves:
        before = S(order.status)
        try:
            event = advance(order, target, actor=actor, at=NOW, carrier="UPS", tracking="1Z")
        except InvalidTransition:
            assert not can_advance(before, target, actor.kind)
            assert order.status == before.value
            continue
        if before == target:
            assert event is None
            continue
        expected_events += 1
        assert (before, target) in TRANSITIONS
        assert actor.kind in TRANSITIONS[(before, target)]
    assert len(order.events) == expected_events
    for event in order.events:
        assert event.from_status is not None
        assert (S(event.from_status), S(event.to_status)) in TRANSITIONS
    # The history is a chain: each move starts where the last one ended.
    chain = [S.AWAITING_PAYMENT.value] + [event.to_status for event in order.events]
    assert [event.from_status for event in order.events] == chain[:-1]
    assert order.status == chain[-1]
    assert (order.paid_at is not None) == any(e.to_status == "paid" for e in order.events)
    if order.status == "shipped":
        assert order.carrier and order.tracking
