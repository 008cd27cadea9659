"""The sandbox's hosted payment page, and the pages a buyer returns to after any checkout.

GET  /pay/sandbox/{token}            the order, its total in the charge currency, Pay and Cancel
POST /pay/sandbox/{token}/pay        a signed "paid" event down the providers' own path
POST /pay/sandbox/{token}/cancel     a signed "failed" event (nothing charged, order kept)
GET  /pay/sandbox/{token}/paid       thank-you page; /cancelled: nothing-charged page
GET  /pay/return/paid?lang=ar        where Stripe and payment links send the buyer back
GET  /pay/return/cancelled?lang=ar

No cookies and no scripts: the token is an HMAC-signed, single-order capability nobody else can
guess, so a forged form post has nothing to aim at (no CSRF token is needed), and a repeated
post is the same event id, recorded once.
"""

from __future__ import annotations

import logging

from babel.dates import format_datetime
from babel.numbers import get_currency_name
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from bot.web.pages import Html, fill, page, page_translator
from bot.web.payment_webhooks import PaymentInbox, Refused
from i18n import Translator
from merchants.payment_providers import PaymentDirectory
from money import Money
from money.formatting import format_money
from payments import CheckoutExpired, SandboxPage, SandboxProvider, WebhookRejected

log = logging.getLogger(__name__)

SANDBOX_PATH = "/pay/sandbox/{token}"
RETURN_PATH = "/pay/return/{outcome}"
OUTCOMES = ("paid", "cancelled")


def checkout_routes(inbox: PaymentInbox, directory: PaymentDirectory) -> list[Route]:
    async def show(request: Request) -> Response:
        sandbox, token = directory.sandbox, request.path_params["token"]
        model = _model(sandbox, token)
        if model is None:
            return _invalid(page_translator(request))
        t = page_translator(request, model.locale)
        if model.expired:
            return _expired(t)
        return page(t, _title(t, model), _checkout(t, model, token))

    async def press(request: Request, outcome: str) -> Response:
        sandbox, token = directory.sandbox, request.path_params["token"]
        model = _model(sandbox, token)
        if sandbox is None or model is None:
            return _invalid(page_translator(request))
        t = page_translator(request, model.locale)
        try:
            headers, body = sandbox.signed_event(token, "paid" if outcome == "paid" else "failed")
            await inbox.deliver(sandbox, headers, body)
        except CheckoutExpired:
            return _expired(t)
        except Refused as refusal:
            log.warning("sandbox %s for order %s refused: %s", outcome, model.order_number,
                        refusal.reason)  # fmt: skip
            return _failed(t, status_code=400 if refusal.status == 400 else 503)
        # Post/redirect/get: reloading the result page never posts again.
        return RedirectResponse(f"{SANDBOX_PATH.format(token=token)}/{outcome}", status_code=303)

    async def pay(request: Request) -> Response:
        return await press(request, "paid")

    async def cancel(request: Request) -> Response:
        return await press(request, "cancelled")

    async def result(request: Request) -> Response:
        model = _model(directory.sandbox, request.path_params["token"])
        if model is None or request.path_params["outcome"] not in OUTCOMES:
            return _invalid(page_translator(request))
        t = page_translator(request, model.locale)
        paid = request.path_params["outcome"] == "paid"
        back = model.success_url if paid else model.cancel_url
        return _result(t, paid=paid, number=model.order_number, back=back)

    async def returned(request: Request) -> Response:
        t = page_translator(request)
        if request.path_params["outcome"] not in OUTCOMES:
            return _invalid(t)
        return _result(t, paid=request.path_params["outcome"] == "paid", number=None, back=None)

    return [
        Route(SANDBOX_PATH, show, methods=["GET"]),
        Route(SANDBOX_PATH + "/pay", pay, methods=["POST"]),
        Route(SANDBOX_PATH + "/cancel", cancel, methods=["POST"]),
        Route(SANDBOX_PATH + "/{outcome:str}", result, methods=["GET"]),
        Route(RETURN_PATH, returned, methods=["GET"]),
    ]


def _model(sandbox: SandboxProvider | None, token: str) -> SandboxPage | None:
    if sandbox is None or len(token) > 4096:
        return None
    try:
        return sandbox.payment_page_model(token)
    except WebhookRejected:  # forged, altered or unreadable: the same answer for all
        return None


def _title(t: Translator, model: SandboxPage) -> str:
    return t.gettext("Pay for order {number}").format(number=model.order_number)


def _checkout(t: Translator, model: SandboxPage, token: str) -> Html:
    _ = t.gettext

    def money(value: Money) -> str:
        return format_money(value, t.locale)

    rows = Html(
        "".join(
            fill(
                '<tr><td>$name</td><td class="number">$quantity</td>'
                '<td class="number">$total</td></tr>',
                name=line.name,
                quantity=str(line.quantity),
                total=money(line.total),
            )
            for line in model.lines
        )
    )
    action = SANDBOX_PATH.format(token=token)
    currency = get_currency_name(model.amount.currency, locale=t.locale)
    return fill(
        """<h1>$title</h1>
<p class="note">$sandbox</p>
<table>
<thead><tr><th>$item</th><th class="number">$quantity</th>
<th class="number">$price</th></tr></thead>
<tbody>$rows</tbody>
<tfoot><tr><th colspan="2">$total_label</th><td class="number" id="total">$total</td></tr></tfoot>
</table>
<p>$charged</p>
<p class="note">$deadline</p>
<div class="actions">
<form method="post" action="$action/pay"><button class="primary" type="submit">$pay</button></form>
<form method="post" action="$action/cancel"><button type="submit">$cancel</button></form>
</div>""",
        title=_title(t, model),
        sandbox=_("This is a test payment page: no money moves."),
        item=_("Item"),
        quantity=_("Qty"),
        price=_("Price"),
        rows=rows,
        total_label=_("Total"),
        total=money(model.amount),
        charged=_("You will be charged {amount} in {currency}.").format(
            amount=money(model.amount), currency=currency
        ),
        deadline=_("Pay before {deadline} (UTC); after that the items are released.").format(
            deadline=format_datetime(model.expires_at, "short", locale=t.locale)
        ),
        action=action,
        pay=_("Pay {amount}").format(amount=money(model.amount)),
        cancel=_("Cancel"),
    )


def _result(t: Translator, *, paid: bool, number: str | None, back: str | None) -> Response:
    _ = t.gettext
    if paid:
        title = _("Thank you!")
        text = (
            _("Payment for order {number} received.").format(number=number)
            if number
            else _("Your payment is being confirmed.")
        )
        more = _("The bot will confirm your order in Telegram.")
    else:
        title = _("Payment cancelled")
        text = _("Nothing was charged.")
        more = _("Your order stays reserved for a while: you can pay from the chat.")
    link = (
        fill(
            '<p><a class="button" href="$back">$label</a></p>',
            back=back,
            label=_("Back to the shop"),
        )
        if back and back.startswith(("https://", "http://", "tg://"))
        else Html("")
    )
    content = fill(
        '<h1>$title</h1>\n<p id="outcome">$text</p>\n<p class="note">$more</p>\n$link',
        title=title,
        text=text,
        more=more,
        link=link,
    )
    return page(t, title, content)


def _message(t: Translator, title: str, text: str, status_code: int) -> Response:
    return page(t, title, fill("<h1>$title</h1>\n<p>$text</p>", title=title, text=text),
                status_code=status_code)  # fmt: skip


def _invalid(t: Translator) -> Response:
    return _message(
        t,
        t.gettext("Payment link not found"),
        t.gettext("This payment link is not valid. Open the link the bot sent you again."),
        404,
    )


def _expired(t: Translator) -> Response:
    return _message(
        t,
        t.gettext("Payment link expired"),
        t.gettext("This payment link has expired. Ask the bot for a new one."),
        410,
    )


def _failed(t: Translator, *, status_code: int) -> Response:
    return _message(
        t,
        t.gettext("Payment not completed"),
        t.gettext("The payment could not be completed and nothing was charged. Try again later."),
        status_code,
    )
