"""The shop's order notice and the buyer's shipping news, as pure views."""

from __future__ import annotations

from decimal import Decimal

from conversation import callbacks
from conversation.views.merchant import buyer_news, order_notice
from i18n import translator
from merchants.desk import Action, BuyerNews, NoticeLine, OrderNotice
from money import Money
from orders.delivery import DeliveryDetails
from orders.models import OrderStatus


def notice(**changes: object) -> OrderNotice:
    values: dict[str, object] = {
        "order_id": 7,
        "number": "K7Q-3MX",
        "status": OrderStatus.PAID,
        "lines": (
            NoticeLine("无线颈挂耳机", {"颜色": "黑色"}, 1, Money(Decimal("399"), "CNY"), "HP-B"),
            NoticeLine("紫砂壶", {}, 2, Money(Decimal("154"), "CNY"), None),
        ),
        "subtotal": Money(Decimal("553"), "CNY"),
        "shipping": Money(Decimal("30"), "CNY"),
        "total": Money(Decimal("583"), "CNY"),
        "buyer_total": Money(Decimal("74.50"), "EUR"),
        "charge": Money(Decimal("74.50"), "EUR"),
        "delivery": DeliveryDetails(
            "Anna Müller", "+4930123456", ("Hauptstraße 5", "2. OG"), "Berlin", "10115", "DE"
        ).to_dict(),
        "buyer_user_id": 100000001,
        "buyer_locale": "ru",
        "carrier": None,
        "tracking": None,
        "acted_by": None,
        "merchant_name": "Tea House",
        "buyer_name": "Анна",
        "buyer_username": "anna_m",
    }
    return OrderNotice(**(values | changes))  # type: ignore[arg-type]


def test_a_chinese_shops_notice_is_chinese_with_skus_and_a_tappable_buyer() -> None:
    text = order_notice(translator("zh_Hans"), notice()).text
    assert "1 × 无线颈挂耳机 (黑色) · SKU <code>HP-B</code>:" in text
    assert "2 × 紫砂壶:" in text  # no SKU, no SKU label
    assert "已付款" in text  # the status in Chinese
    assert '<a href="tg://user?id=100000001">Анна</a> (@anna_m)' in text
    assert "俄语" in text and " ru" not in text  # Russian, as a Chinese word
    assert "Беспроводные" not in text


def test_the_address_is_a_label_the_carrier_reads() -> None:
    text = order_notice(translator("en"), notice()).text
    label = text.split("<b>Ship to</b>\n", 1)[1].split("\n\n", 1)[0]
    assert label.split("\n") == [
        "Anna Müller",
        "Hauptstraße 5",
        "2. OG",
        "10115 BERLIN",
        "GERMANY",
        "Phone: +49 30 123456",
    ]
    us = DeliveryDetails(
        "Joe Doe", "+12025550143", ("1 Main St",), "Springfield", "62701", "US", area="IL"
    )
    text = order_notice(translator("en"), notice(delivery=us.to_dict())).text
    assert "SPRINGFIELD, IL 62701\nUNITED STATES" in text  # the state, as USPS wants it
    china = DeliveryDetails(
        "王伟", "+8613812345678", ("建国路88号",), "朝阳区", "100020", "CN", area="北京市"
    )
    text = order_notice(translator("en"), notice(delivery=china.to_dict())).text
    label = text.split("<b>Ship to</b>\n", 1)[1]
    assert "100020" in label and "CHINA" in label
    assert "WangWei" in label and "BEIJING SHI, 100020" in label  # a Latin copy for the carrier


def test_a_buyer_without_username_or_name_is_still_reachable() -> None:
    text = order_notice(translator("en"), notice(buyer_name="", buyer_username=None)).text
    assert '<a href="tg://user?id=100000001">Telegram user 100000001</a>,' in text
    assert "speaks Russian" in text


def test_a_shipped_notice_links_the_tracking_and_offers_to_correct_it() -> None:
    url = "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428490"
    shipped = notice(
        status=OrderStatus.SHIPPED, carrier="USPS", tracking="9400111899223197428490",
        tracking_url=url,
    )  # fmt: skip
    reply = order_notice(translator("en"), shipped)
    assert f'<a href="{url}">9400111899223197428490</a>' in reply.text
    actions = [callbacks.decode(b.action).str(0) for row in reply.buttons for b in row if b.action]
    assert actions == [Action.DELIVERED.value, Action.RETRACK.value]


def test_the_buyer_gets_a_tracking_link_in_their_language() -> None:
    url = "https://tools.usps.com/go/TrackConfirmAction?tLabels=9400111899223197428490"
    news = BuyerNews("K7Q-3MX", OrderStatus.SHIPPED, "Tea House", "USPS",
                     "9400111899223197428490", tracking_url=url)  # fmt: skip
    reply = buyer_news(translator("de"), news)
    assert "K7Q-3MX" in reply.text and "USPS" in reply.text
    [[button]] = reply.buttons
    assert button.url == url and button.text != "📦 Track the parcel"  # German, not English
    corrected = buyer_news(translator("en"), BuyerNews(
        "K7Q-3MX", OrderStatus.SHIPPED, "Tea House", "UPS", "1Z5R89390357567127",
        tracking_url=None, corrected=True,
    ))  # fmt: skip
    assert "corrected" in corrected.text and not corrected.buttons
