"""A loopback stand-in of the Stripe API, for driving the real `stripe` SDK in tests.

stripe-mock cannot be installed here, so this implements the slice of the API chatshop calls,
with Stripe's wire formats: form-encoded bodies with bracketed keys
(`line_items[0][price_data][unit_amount]=1234`), Bearer API keys, `Idempotency-Key` replays
(same key and parameters → the stored response; other parameters → `idempotency_error`), JSON
objects shaped like Stripe's, and its error envelope `{"error": {"type", "message", "code",
"param"}}` with 400/401/402/404.

Endpoints: POST /v1/checkout/sessions, GET /v1/checkout/sessions/{id},
POST /v1/checkout/sessions/{id}/expire, POST /v1/refunds.

Test helpers: `complete()` plays the buyer paying, `webhook()` builds a signed event as Stripe
would post it, `fail_next()` injects 5xx/4xx answers, `closed_port_url()` gives an address where
nothing listens (connection refused).

Usage:
    async with StripeStandIn().running() as standin:
        provider = StripeCheckout(standin.api_key, WHSEC, api_base=standin.api_base)
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import stripe
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

# Stripe's step rules, restated independently of payments.minor_units so each checks the other.
AMOUNT_STEP = {"isk": 100, "ugx": 100, "bhd": 10, "jod": 10, "kwd": 10, "omr": 10, "tnd": 10}
MIN_EXPIRY_SECONDS = 30 * 60
MAX_EXPIRY_SECONDS = 24 * 60 * 60

_KEY = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")


class StripeApiError(Exception):
    """Raised inside a handler; becomes Stripe's error envelope."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = (
            status,
            message,
            type,
            code,
            param,
        )

    def response(self) -> JSONResponse:
        error: dict[str, Any] = {"type": self.type, "message": self.message}
        if self.code:
            error["code"] = self.code
        if self.param:
            error["param"] = self.param
        return JSONResponse({"error": error}, status_code=self.status)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    params: dict[str, Any]


def decode_form(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Stripe's bracketed form keys back into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.match(key)
        if not match:
            raise StripeApiError(400, f"Invalid parameter name {key!r}")
        path = [match.group(1), *re.findall(r"\[([^\[\]]*)\]", match.group(2))]
        node = root
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise StripeApiError(400, f"Conflicting parameter {key!r}")
        node[path[-1]] = value
    return _listify(root)


def _listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def closed_port_url() -> str:
    """A loopback address where nothing listens: connecting is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@dataclass
class StripeStandIn:
    """In-memory Stripe: state lives as long as the object."""

    api_key: str = "sk_test_standin"
    clock: Callable[[], int] = field(default=lambda: int(time.time()))
    delay_seconds: int = 0  # answer every request this late (timeouts)
    api_base: str = ""
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)
    payment_intents: dict[str, dict[str, Any]] = field(default_factory=dict)
    refunds: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _idempotency: dict[str, tuple[str, int, bytes]] = field(default_factory=dict)
    _faults: list[StripeApiError] = field(default_factory=list)

    # --- test controls ----------------------------------------------------------------------
    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        type: str = "api_error",
        message: str = "An unknown error occurred",
        code: str | None = None,
    ) -> None:
        """The next `count` API requests get this error instead of being processed."""
        self._faults.extend(
            StripeApiError(status, message, type=type, code=code) for _ in range(count)
        )

    def complete(self, session_id: str, *, payment_status: str = "paid") -> dict[str, Any]:
        """The buyer finishes Checkout: the session completes and gets a payment intent."""
        session = self.sessions[session_id]
        session["status"] = "complete"
        session["payment_status"] = payment_status
        intent_id = _id("pi")
        self.payment_intents[intent_id] = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": session["amount_total"],
            "amount_refunded": 0,
            "currency": session["currency"],
            "latest_charge": _id("ch"),
            "status": "succeeded" if payment_status == "paid" else "processing",
        }
        session["payment_intent"] = intent_id
        return session

    def webhook(
        self,
        session_id: str,
        event_type: str,
        *,
        secret: str,
        timestamp: int | None = None,
        event_id: str | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> tuple[dict[str, str], bytes]:
        """A signed event about a session, as Stripe would POST it: (headers, body)."""
        obj = {**self.sessions[session_id], **(overrides or {})}
        signed_at = self.clock() if timestamp is None else timestamp
        event = {
            "id": event_id or _id("evt"),
            "object": "event",
            "api_version": stripe.api_version,
            "created": signed_at,
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": event_type,
        }
        return sign_event(event, secret=secret, timestamp=signed_at)

    # --- server -----------------------------------------------------------------------------
    @asynccontextmanager
    async def running(self) -> AsyncIterator[StripeStandIn]:
        """Serve on 127.0.0.1 at a free port, in the current event loop."""
        config = uvicorn.Config(
            self.app(), host="127.0.0.1", port=0, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                task.result()  # startup failed: raise its error
                raise RuntimeError("stand-in stopped before it started")
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        self.api_base = f"http://127.0.0.1:{port}"
        try:
            yield self
        finally:
            server.should_exit = True
            await task

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route(
                    "/v1/checkout/sessions", self._endpoint(self._create_session), methods=["POST"]
                ),
                Route(
                    "/v1/checkout/sessions/{id}", self._endpoint(self._get_session), methods=["GET"]
                ),
                Route(
                    "/v1/checkout/sessions/{id}/expire",
                    self._endpoint(self._expire_session),
                    methods=["POST"],
                ),
                Route("/v1/refunds", self._endpoint(self._create_refund), methods=["POST"]),
                Route(
                    "/{path:path}",
                    self._endpoint(self._unknown),
                    methods=["GET", "POST", "DELETE"],
                ),
            ]
        )

    def _endpoint(self, handler: Callable[[Request, dict[str, Any]], dict[str, Any]]) -> Any:
        async def endpoint(request: Request) -> Response:
            body = await request.body()
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            pairs = parse_qsl(
                body.decode() if request.method == "POST" else request.url.query,
                keep_blank_values=True,
            )
            try:
                params = decode_form(pairs)
                self.requests.append(
                    RecordedRequest(request.method, request.url.path, dict(request.headers), params)
                )
                if self._faults:
                    raise self._faults.pop(0)
                self._authenticate(request)
                key = request.headers.get("idempotency-key")
                fingerprint = f"{request.method} {request.url.path} {sorted(pairs)}"
                if request.method == "POST" and key:
                    stored = self._idempotency.get(key)
                    if stored is not None:
                        if stored[0] != fingerprint:
                            raise StripeApiError(
                                400,
                                "Keys for idempotent requests can only be used with the same "
                                "parameters they were first used with.",
                                type="idempotency_error",
                            )
                        return Response(
                            stored[2],
                            status_code=stored[1],
                            media_type="application/json",
                            headers={"Idempotent-Replayed": "true"},
                        )
                try:
                    status, payload = 200, json.dumps(handler(request, params)).encode()
                except StripeApiError as error:
                    if error.status >= 500:
                        raise
                    status, payload = error.status, bytes(error.response().body)
                if request.method == "POST" and key:
                    self._idempotency[key] = (fingerprint, status, bytes(payload))
                return Response(payload, status_code=status, media_type="application/json")
            except StripeApiError as error:
                return error.response()

        return endpoint

    def _authenticate(self, request: Request) -> None:
        supplied = request.headers.get("authorization", "").removeprefix("Bearer ")
        if supplied != self.api_key:
            raise StripeApiError(401, f"Invalid API Key provided: {supplied[:8]}***")

    # --- endpoints --------------------------------------------------------------------------
    def _create_session(self, request: Request, params: dict[str, Any]) -> dict[str, Any]:
        now = self.clock()
        if params.get("mode") != "payment":
            raise StripeApiError(400, "Only mode=payment is supported here", param="mode")
        for url_param in ("success_url", "cancel_url"):
            if not str(params.get(url_param, "")).startswith(("http://", "https://")):
                raise StripeApiError(400, "Not a valid URL", param=url_param)
        lines = params.get("line_items")
        if not isinstance(lines, list) or not lines:
            raise StripeApiError(400, "Missing required param: line_items.", param="line_items")
        currencies, total = set(), 0
        for index, line in enumerate(lines):
            price = line.get("price_data") or {}
            currency = price.get("currency", "")
            unit = _integer(
                price.get("unit_amount"), f"line_items[{index}][price_data][unit_amount]"
            )
            quantity = _integer(line.get("quantity"), f"line_items[{index}][quantity]")
            if not re.fullmatch(r"[a-z]{3}", currency):
                raise StripeApiError(400, f"Invalid currency: {currency}", param="currency")
            if not (price.get("product_data") or {}).get("name"):
                raise StripeApiError(400, "Missing required param: product_data[name].")
            if quantity < 1 or unit < 0:
                raise StripeApiError(400, "Invalid quantity or amount")
            step = AMOUNT_STEP.get(currency, 1)
            if unit % step:
                raise StripeApiError(
                    400,
                    f"Invalid amount: {currency.upper()} amounts must be divisible by {step}.",
                    code="invalid_charge_amount_no_decimal_compatible",
                    param=f"line_items[{index}][price_data][unit_amount]",
                )
            currencies.add(currency)
            total += unit * quantity
        if len(currencies) != 1:
            raise StripeApiError(400, "All line items must have the same currency")
        expires_at = _integer(params.get("expires_at", now + MAX_EXPIRY_SECONDS), "expires_at")
        if not now + MIN_EXPIRY_SECONDS <= expires_at <= now + MAX_EXPIRY_SECONDS:
            raise StripeApiError(
                400,
                "The `expires_at` timestamp must be between 30 minutes and 24 hours from "
                "Checkout Session creation.",
                param="expires_at",
            )
        session_id = f"cs_test_{secrets.token_hex(28)}"
        session = {
            "id": session_id,
            "object": "checkout.session",
            "amount_subtotal": total,
            "amount_total": total,
            "cancel_url": params["cancel_url"],
            "client_reference_id": params.get("client_reference_id"),
            "created": now,
            "currency": currencies.pop(),
            "expires_at": expires_at,
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": params.get("metadata") or {},
            "mode": "payment",
            "payment_intent": None,
            "payment_status": "unpaid",
            "status": "open",
            "success_url": params["success_url"],
            "url": f"https://checkout.stripe.com/c/pay/{session_id}",
        }
        self.sessions[session_id] = session
        return session

    def _get_session(self, request: Request, params: dict[str, Any]) -> dict[str, Any]:
        return self._session(request.path_params["id"])

    def _expire_session(self, request: Request, params: dict[str, Any]) -> dict[str, Any]:
        session = self._session(request.path_params["id"])
        if session["status"] != "open":
            raise StripeApiError(
                400, 'Only Checkout Sessions with a status in ["open"] can be expired.'
            )
        session["status"] = "expired"
        return session

    def _create_refund(self, request: Request, params: dict[str, Any]) -> dict[str, Any]:
        intent_id = params.get("payment_intent")
        intent = self.payment_intents.get(intent_id or "")
        if intent is None:
            raise StripeApiError(
                404,
                f"No such payment_intent: '{intent_id}'",
                code="resource_missing",
                param="payment_intent",
            )
        remaining = intent["amount"] - intent["amount_refunded"]
        if remaining <= 0:
            raise StripeApiError(
                400,
                f"Charge {intent['latest_charge']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = _integer(params.get("amount", remaining), "amount")
        if amount > remaining:
            raise StripeApiError(
                400,
                f"Refund amount ({amount}) is greater than unrefunded amount on charge "
                f"({remaining})",
                code="amount_too_large",
                param="amount",
            )
        intent["amount_refunded"] += amount
        refund = {
            "id": _id("re"),
            "object": "refund",
            "amount": amount,
            "charge": intent["latest_charge"],
            "created": self.clock(),
            "currency": intent["currency"],
            "metadata": params.get("metadata") or {},
            "payment_intent": intent_id,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        return refund

    def _unknown(self, request: Request, params: dict[str, Any]) -> dict[str, Any]:
        raise StripeApiError(
            404, f"Unrecognized request URL ({request.method}: {request.url.path})."
        )

    def _session(self, session_id: str) -> dict[str, Any]:
        session = self.sessions.get(session_id)
        if session is None:
            raise StripeApiError(
                404,
                f"No such checkout.session: '{session_id}'",
                code="resource_missing",
                param="session",
            )
        return session


def sign_event(
    event: dict[str, Any], *, secret: str, timestamp: int
) -> tuple[dict[str, str], bytes]:
    """Serialise and sign an event with the SDK's own test signer (Stripe's real scheme)."""
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(payload, secret, timestamp)
    return {"Stripe-Signature": header, "Content-Type": "application/json"}, payload.encode()


def _integer(value: Any, param: str) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        return int(value)
    raise StripeApiError(400, f"Invalid integer: {value}", param=param)


def _id(prefix: str) -> str:
    return f"{prefix}_test_{secrets.token_hex(12)}"
