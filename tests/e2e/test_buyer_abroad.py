"""Issue 12 through the real bot: phones and addresses as each country writes them.

Buyers in several languages check out: the country is asked first, a phone typed the way that
country writes it is taken (and shown back so), the US and Brazil ask the state and the postal
code, and a postal code of the wrong shape, or of another state, is refused naming the field.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.database import transaction
from bot.standin.driver import User
from i18n import negotiate_locale, translator
from orders.customers import Customer
from orders.models import Order
from tests.e2e.conftest import Shop
from tests.e2e.test_journey import add_from, press

pytestmark = pytest.mark.slow


async def start_checkout(shop: Shop, buyer: User) -> None:
    await add_from(shop, buyer, "enamel camping mugg", "Northwind Goods")
    [cart] = await shop.say(buyer, "/cart")
    await press(shop, buyer, cart, "1:co")


async def said(shop: Shop, buyer: User, text: str) -> str:
    """Everything the bot answered to `text`, as one string."""
    return "\n".join(m.text or "" for m in await shop.say(buyer, text))


US_PHONE = ("US", "(202) 555-0143", "(202) 555-0143")
FR_PHONE = ("FR", "06 12 34 56 78", "06 12 34 56 78")


@pytest.mark.parametrize(
    ("language_code", "phones"),
    [
        ("en-US", [US_PHONE, ("KR", "01012345678", "010-1234-5678")]),
        ("ru", [("Россия", "8 912 345-67-89", "8 (912) 345-67-89")]),
        ("zh-hans", [("中国", "13812345678", "138 1234 5678")]),
        ("de", [("Deutschland", "0151 23456789", "01512 3456789"), FR_PHONE]),
        ("es-MX", [("España", "612 34 56 78", "612 34 56 78")]),
        ("ar-EG", [("مصر", "01012345678", "010 12345678")]),
    ],
)
async def test_phones_as_each_country_writes_them(
    shop: Shop, language_code: str, phones: list[tuple[str, str, str]]
) -> None:
    buyer = shop.buyer("Sam", language_code=language_code)
    await start_checkout(shop, buyer)
    for country, typed, shown in phones:
        await said(shop, buyer, country)  # the country comes first
        await said(shop, buyer, "Sam Lee")
        answer = await said(shop, buyer, typed)
        assert shown in answer, answer  # taken, and shown back as that country writes it
        # Back to the country (phone → name → country) to try the next one.
        for _ in range(3):
            last = buyer.chat.last
            assert last is not None
            await press(shop, buyer, last, "1:step:", nth=0)
    assert (buyer.chat.last and buyer.chat.last.text) is not None


async def test_a_us_address_asks_state_and_zip_and_refuses_a_zip_of_another_state(
    shop: Shop,
) -> None:
    buyer = shop.buyer("Ana", language_code="en-US")
    await start_checkout(shop, buyer)
    for text in ["United States", "Ana Silva", "(202) 555-0143", "1600 Amphitheatre Pkwy"]:
        await said(shop, buyer, text)
    state = await said(shop, buyer, "Mountain View")
    assert "State" in state and "step 6 of 7" in state, state
    zip_question = await said(shop, buyer, "california")
    assert "ZIP code" in zip_question, zip_question
    refused = await said(shop, buyer, "1000")
    assert "ZIP code: that is not valid in United States" in refused, refused
    refused = await said(shop, buyer, "10001")  # New York's, not California's
    assert "ZIP code" in refused and "step 7 of 7" in refused, refused
    remember = await said(shop, buyer, "94043")
    assert "MOUNTAIN VIEW, CA 94043" in remember, remember
    asked = buyer.chat.last
    assert asked is not None
    summary = await press(shop, buyer, asked, "1:step:confirm_save:no")
    assert summary.text is not None and "MOUNTAIN VIEW, CA 94043" in summary.text
    await press(shop, buyer, summary, "1:step:summary:")
    async with transaction(shop.services.sessions) as session:
        customer = await session.scalar(
            select(Customer).where(Customer.telegram_user_id == buyer.id)
        )
        assert customer is not None
        order = await session.scalar(select(Order).where(Order.customer_id == customer.id))
    assert order is not None
    assert order.delivery["area"] == "CA" and order.delivery["postal_code"] == "94043"
    assert order.delivery["phone"] == "+12025550143"


async def test_a_brazilian_address_in_portuguese(shop: Shop) -> None:
    buyer = shop.buyer("João", language_code="pt-br")
    await start_checkout(shop, buyer)
    country = buyer.chat.last
    assert country is not None
    await press(shop, buyer, country, "1:step:country:BR")  # the likely country, one tap away
    for text in ["João Souza", "(11) 91234-5678", "Av. Paulista, 1000", "São Paulo"]:
        await said(shop, buyer, text)
    cep = await said(shop, buyer, "sao paulo")
    assert "Código postal" in cep and "40301-110" in cep, cep
    refused = await said(shop, buyer, "0131-100")
    assert "Código postal: não é válido em Brasil" in refused, refused
    remember = await said(shop, buyer, "01310-100")
    assert "SÃO PAULO-SP" in remember and "01310-100" in remember, remember
    assert "(11) 91234-5678" in remember


@pytest.mark.parametrize(
    ("language_code", "country", "answers", "wrong_postal", "postal", "area"),
    [
        (
            "es-MX",
            "México",
            ["Lucía Pérez", "55 1234 5678", "Av. Paseo de la Reforma 222"],
            "0660",
            "06600",
            "CDMX",
        ),
        ("zh-hans", "中国", ["王伟", "13812345678", "建国路88号"], "1000", "100020", "北京市"),
    ],
)
async def test_mexican_and_chinese_addresses_ask_their_state_and_postal_code(
    shop: Shop,
    language_code: str,
    country: str,
    answers: list[str],
    wrong_postal: str,
    postal: str,
    area: str,
) -> None:
    """Each remaining question is answered by what it asks for, in the buyer's own words."""
    buyer = shop.buyer("Lu", language_code=language_code)
    t = translator(negotiate_locale(language_code, "en"))
    await start_checkout(shop, buyer)
    question = ""
    for text in [country, *answers]:
        question = await said(shop, buyer, text)
    asked: list[str] = []
    area_words = (t.gettext("State"), t.gettext("Province"))
    postal_word = t.gettext("Postal code")
    for _ in range(4):
        if postal_word in question:
            asked.append("postal")
            refused = await said(shop, buyer, wrong_postal)
            assert postal_word in refused and postal_word in refused.split("\n")[0], refused
            question = await said(shop, buyer, postal)
            break
        if any(word in question for word in area_words):
            asked.append("area")
            question = await said(shop, buyer, "Ciudad de México" if area == "CDMX" else "北京")
        else:
            asked.append("city")
            question = await said(shop, buyer, "Ciudad de México" if area == "CDMX" else "北京")
    assert asked[-1] == "postal" and "area" in asked and "city" in asked, (asked, question)
    remembered = buyer.chat.last
    assert remembered is not None
    summary = await press(shop, buyer, remembered, "1:step:confirm_save:no")
    assert summary.text is not None and postal in summary.text
    await press(shop, buyer, summary, "1:step:summary:")
    async with transaction(shop.services.sessions) as session:
        customer = await session.scalar(
            select(Customer).where(Customer.telegram_user_id == buyer.id)
        )
        assert customer is not None
        order = await session.scalar(select(Order).where(Order.customer_id == customer.id))
    assert order is not None
    assert order.delivery["area"] == area and order.delivery["postal_code"] == postal
