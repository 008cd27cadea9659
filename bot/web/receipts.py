"""GET /receipt/<order id>/<token>: a paid order's receipt page, in its buyer's language."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from bot.database import transaction
from bot.services import Services
from conversation.views.receipt import receipt_page
from i18n import translator
from orders.receipts import find_receipt, receipt_key, receipt_token

PATH = "/receipt/{order_id:int}/{token:str}"


def receipt_url(services: Services, *, order_id: int, customer_id: int) -> str:
    """The link given to the buyer (on their paid order in /orders)."""
    key = receipt_key(services.settings.telegram_token or "")
    token = receipt_token(key, order_id=order_id, customer_id=customer_id)
    return f"{services.settings.web_base_url}/receipt/{order_id}/{token}"


def receipt_route(services: Services) -> Route:
    key = receipt_key(services.settings.telegram_token or "")

    async def show(request: Request) -> Response:
        async with transaction(services.sessions) as session:
            found = await find_receipt(
                session,
                key=key,
                order_id=request.path_params["order_id"],
                token=request.path_params["token"],
            )
        if found is None:
            return HTMLResponse("Not found", status_code=404)
        return HTMLResponse(receipt_page(translator(found.locale), found.order))

    return Route(PATH, show, methods=["GET"])
