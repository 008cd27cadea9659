"""Fixtures for the payments tests: the Stripe stand-in and providers pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import stripe

from payments import StripeCheckout
from tests.payments.factories import WEBHOOK_SECRET
from tests.payments.stripe_standin import StripeStandIn


@pytest.fixture(autouse=True)
def _no_stripe_telemetry(monkeypatch: pytest.MonkeyPatch) -> None:
    """The SDK would write ~/.config/stripe/telemetry_id and report request timings."""
    monkeypatch.setattr(stripe, "enable_telemetry", False)


@pytest.fixture
async def standin() -> AsyncIterator[StripeStandIn]:
    async with StripeStandIn().running() as running:
        yield running


@pytest.fixture
async def stripe_checkout(standin: StripeStandIn) -> AsyncIterator[StripeCheckout]:
    """The real provider and SDK, pointed at the stand-in; no retries, so faults show at once."""
    provider = StripeCheckout(
        standin.api_key, WEBHOOK_SECRET, api_base=standin.api_base, max_network_retries=0
    )
    yield provider
    await provider.aclose()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """stripe 16's HTTPXClient posts with `data=<str>`, which httpx 0.28 deprecates; not ours."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:Use 'content=<...>' to upload raw bytes:DeprecationWarning"
                )
            )
