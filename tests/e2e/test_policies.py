"""A shop's policy texts end to end: staff set them with /policy in the shop's group, and a
buyer who asks about returns is answered with the shop's own words."""

from __future__ import annotations

import pytest

from tests.e2e.test_merchant import TIMEOUT, MerchantWorld, set_up

pytestmark = pytest.mark.slow


def has(text: str):
    return lambda m: text in (m.text or "")


async def test_staff_set_the_returns_text_and_a_buyer_reads_it(world: MerchantWorld) -> None:
    await set_up(world)
    group, ana = world.group, world.ana

    await world.bob.send("/policy returns Anything goes.", group)  # not staff
    assert await group.wait_for(has("staff"), timeout=TIMEOUT)

    await world.mia.send("/policy returns 30 days to return <unused> items.\nKeep the box.", group)
    saved = await group.wait_for(has("Saved."), timeout=TIMEOUT)
    # Shown as written: the angle brackets are text, not markup, and the lines are kept.
    assert "Returns\n30 days to return <unused> items.\nKeep the box." in (saved.text or "")

    await ana.send("can I return it?")
    answer = await ana.chat.wait_for(has("Keep the box."), timeout=TIMEOUT)
    assert "Northwind Goods" in (answer.text or "")

    await world.mia.send("/policy returns clear", group)
    cleared = await group.wait_for(
        lambda m: "Saved." in (m.text or "") and "Keep the box." not in (m.text or ""),
        timeout=TIMEOUT,
    )
    assert cleared is not None
