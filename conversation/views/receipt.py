"""A paid order's receipt as an HTML page, in the buyer's language (Arabic right to left).

The shop, the order number, each item, delivery and the total in the shop's currency, what was
charged and in which currency, and the exchange rate the order was quoted at. Pure function:
the web server serves what it returns.
"""

from __future__ import annotations

from html import escape

from conversation.views.checkout import delivery_text, line_title
from conversation.views.common import local_time
from i18n import Translator
from money.formatting import format_money
from orders.delivery import DeliveryDetails
from orders.errors import ShopError
from orders.queries import OrderDetails

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40em;margin:2em auto;padding:0 1em}"
    "table{width:100%;border-collapse:collapse}td{padding:.3em 0;vertical-align:top}"
    "td.amount{text-align:end;white-space:nowrap}tr.total td{font-weight:bold;"
    "border-top:1px solid #999}.muted{color:#555}"
)


def receipt_page(t: Translator, order: OrderDetails) -> str:
    _ = t.gettext
    direction = "rtl" if t.rtl else "ltr"
    country = order.delivery.get("country")
    country = country if isinstance(country, str) else None

    def money_cell(text: str) -> str:
        return f'<td class="amount"><bdi>{text}</bdi></td>'

    rows = [
        f"<tr><td>{line.quantity} × {line_title(line.title, line.options)}</td>"
        + money_cell(format_money(line.line_total, t.code))
        + "</tr>"
        for line in order.lines
    ]
    rows.append(
        f"<tr><td>{escape(_('Delivery'))}</td>"
        + money_cell(format_money(order.shipping, t.code))
        + "</tr>"
    )
    rows.append(
        f'<tr class="total"><td>{escape(_("Total"))}</td>'
        + money_cell(format_money(order.total, t.code))
        + "</tr>"
    )
    facts = [
        _("Order <b>{number}</b> from {shop}").format(
            number=escape(order.number), shop=escape(order.merchant_name)
        ),
    ]
    if order.paid_at is not None:
        facts.append(
            _("Paid on {time}: {amount}").format(
                time=escape(local_time(t, order.paid_at, country)),
                amount=f"<bdi>{format_money(order.charge, t.code)}</bdi>",
            )
        )
    if order.buyer_total.currency != order.total.currency:
        facts.append(
            _("Exchange rate quoted: 1 {source} = {rate} {target} (ECB reference of {day}, "
              "shop margin {margin}%)").format(
                source=order.total.currency,
                rate=escape(order.fx_rate),
                target=order.buyer_total.currency,
                day=order.fx_rate_date.isoformat() if order.fx_rate_date else "—",
                margin=escape(order.fx_margin_percent),
            )
        )  # fmt: skip
    try:
        address = delivery_text(t, DeliveryDetails.from_dict(order.delivery))
    except ShopError:
        address = escape(str(order.delivery.get("name", "")))
    title = escape(_("Receipt for order {number}").format(number=order.number))
    return (
        f'<!doctype html><html lang="{escape(t.code)}" dir="{direction}"><head>'
        f'<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
        f"<title>{title}</title><style>{STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        + "".join(f"<p>{fact}</p>" for fact in facts)
        + f"<table>{''.join(rows)}</table>"
        f"<h2>{escape(_('Delivery to:'))}</h2>"
        f'<p class="muted">{address.replace(chr(10), "<br>")}</p>'
        "</body></html>"
    )
