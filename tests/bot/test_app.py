"""`build_application`: the services and payment providers reach handlers as typed attributes."""

from __future__ import annotations

from dataclasses import replace

from bot.app import build_application
from bot.context import ShopContext, ShopData
from bot.database import SessionFactory
from bot.services import Services
from bot.settings import DEMO_TOKEN, Settings
from merchants.payment_providers import PaymentDirectory


def test_handlers_find_the_services_and_the_providers_as_attributes(
    sessions: SessionFactory,
) -> None:
    settings = Settings(_env_file=None, fx_refresh_hours=0)
    directory = PaymentDirectory()
    services = replace(Services(settings=settings, sessions=sessions), payments=directory)

    application = build_application(services, token=DEMO_TOKEN, api_url="http://127.0.0.1:9")
    context = ShopContext(application)

    assert isinstance(application.bot_data, ShopData)
    assert context.services is services and context.services.payments is directory
    assert application.bot_data.outbox_sender is None  # started by `bot.runner.running`
