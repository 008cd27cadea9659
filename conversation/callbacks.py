"""Button payloads: short, versioned, parsed strictly, never trusted.

A payload reads `1:<action>:<arg>:...`, e.g. `1:prod:42`. The leading version lets a later
release change an action's shape while old buttons in chat history still parse (or are refused
politely as expired). Decoding checks the action, the number of arguments and each argument's
shape; what the arguments *mean* (is this cart line the presser's?) is checked by the use case.
"""

from __future__ import annotations

import builtins
import re
from dataclasses import dataclass

VERSION = "1"
MAX_BYTES = 64  # Telegram's limit on callback_data
_MAX_INT = 2**31 - 1  # every int a button carries fits a 32-bit INTEGER column
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")

# action name -> the kind of each argument ("int" or "tok": a short [A-Za-z0-9_-] token)
ACTIONS: dict[str, tuple[str, ...]] = {
    "prod": ("int",),  # open a product card
    "page": ("tok", "int"),  # search results page: query key, page number
    "lang": ("tok",),  # choose a language
    "cur": ("tok",),  # choose a currency
    "cat": ("int",),  # browse a category
    "cats": (),  # the category list
    # product card: product id, then the chosen option values as indexes, quantity
    "opt": ("int", "tok", "int"),  # product, chosen option indexes ("0-2"), quantity
    "add": ("int", "int"),  # add variant, quantity
    "cart": (),  # show the cart
    "line": ("int", "tok"),  # cart line, operation: inc | dec | del
    "empty": (),  # empty the cart (asks first)
    "emptyok": (),  # confirmed: empty the cart
    "pick": ("int",),  # "which line did you mean?": the chosen cart line
    "co": (),  # start checkout
    "ctry": (),  # the cart: ask which country delivery goes to
    "ctryset": ("tok",),  # the country chosen (ISO code, checked against CLDR's list)
    "step": ("tok", "tok"),  # checkout step button: step name, answer (back, cancel, yes, ...)
    "orders": ("int",),  # the buyer's orders, page
    "order": ("int",),  # one order's details
    "ocancel": ("int",),  # cancel an unpaid order (asks first)
    "ocancelok": ("int",),  # confirmed: cancel it
    "reorder": ("int",),  # an expired or cancelled order's items back into the cart
    "pay": ("int",),  # payment link for an order (re-issued if needed)
    # the merchant's chat: an action on an order (accept | ship | cancel | refund), order id
    "mord": ("tok", "int"),
    # the merchant's chat: a second payment (its id) was refunded by the shop itself
    "m2ref": ("int",),
    "ask": ("int",),  # the buyer asks the shop about an order
    "askm": ("int",),  # the buyer asks a shop before buying: merchant id
    "mlist": ("tok", "int"),  # the merchant's /orders: status filter ("all" or a status), page
}


class InvalidCallback(ValueError):
    """A payload that is stale, forged or malformed: answer "this button has expired"."""


@dataclass(frozen=True, slots=True)
class Callback:
    action: str
    args: tuple[int | str, ...]

    def int(self, index: int) -> int:
        value = self.args[index]
        assert isinstance(value, int)
        return value

    def str(self, index: builtins.int) -> str:
        return str(self.args[index])


def encode(action: str, *args: int | str) -> str:
    kinds = ACTIONS[action]
    if len(args) != len(kinds):
        raise ValueError(f"{action} takes {len(kinds)} arguments")
    for kind, arg in zip(kinds, args, strict=True):
        if not _valid(kind, str(arg)):
            raise ValueError(f"argument {arg!r} of {action} is not a valid {kind}")
    payload = ":".join((VERSION, action, *map(str, args)))
    if len(payload.encode()) > MAX_BYTES:
        raise ValueError(f"callback payload over {MAX_BYTES} bytes: {payload!r}")
    return payload


def decode(payload: str | None) -> Callback:
    if not payload or len(payload.encode()) > MAX_BYTES:
        raise InvalidCallback("empty or oversized payload")
    version, _, rest = payload.partition(":")
    if version != VERSION:
        raise InvalidCallback(f"unknown version {version!r}")
    action, *raw = rest.split(":")
    kinds = ACTIONS.get(action)
    if kinds is None or len(raw) != len(kinds):
        raise InvalidCallback(f"unknown action or arity: {payload!r}")
    if not all(_valid(kind, value) for kind, value in zip(kinds, raw, strict=True)):
        raise InvalidCallback(f"malformed argument in {payload!r}")
    args = tuple(int(v) if k == "int" else v for k, v in zip(kinds, raw, strict=True))
    return Callback(action, args)


def _valid(kind: str, value: str) -> bool:
    if kind == "int":
        # ASCII digits only: int() would also accept "٤٢", "+1" and " 1".
        return value.isascii() and value.isdigit() and len(value) <= 19 and int(value) <= _MAX_INT
    return bool(_TOKEN.match(value))
