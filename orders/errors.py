"""Typed errors the buyer is shown, each a message id, its parameters and a default English text.

Domain code never translates: a handler looks the `default` text up in the buyer's catalog
(`_(error.default) % error.params`, or by `message_id`) and so every refusal, from a quantity of
-3 to a forged button, reaches the buyer as a clear sentence in their language. Parameters are
plain strings and ints only, so any translation can use them with `%(name)s`.
"""

from __future__ import annotations

from typing import ClassVar


class ShopError(Exception):
    """Something the buyer asked for that cannot be done; `str()` gives the English text."""

    message_id: ClassVar[str] = "error"
    default: ClassVar[str] = "Sorry, that cannot be done."

    def __init__(self, **params: str | int) -> None:
        self.params: dict[str, str | int] = params
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """The default English sentence with its parameters filled in."""
        return self.default % self.params if self.params else self.default


# --- input that is not an answer at all -----------------------------------------------------
class TextTooLong(ShopError):
    message_id = "input.too_long"
    default = "That is too long: please keep it under %(maximum)d characters."


class NotText(ShopError):
    """Emoji only, control characters, nothing but punctuation."""

    message_id = "input.not_text"
    default = "Please answer in words: emoji, symbols and control characters can't be used here."


class ChooseAButton(ShopError):
    message_id = "input.choose_button"
    default = "Please choose one of the buttons."


# --- cart -----------------------------------------------------------------------------------
class NotAQuantity(ShopError):
    message_id = "cart.not_a_quantity"
    default = "Please send the quantity as a number, like 2."


class QuantityOutOfRange(ShopError):
    message_id = "cart.quantity_out_of_range"
    default = "Please choose a quantity from %(minimum)d to %(maximum)d."


class NotEnoughStock(ShopError):
    message_id = "cart.not_enough_stock"
    default = "Only %(available)d of “%(title)s” left."


class SoldOut(ShopError):
    message_id = "cart.sold_out"
    default = "“%(title)s” is sold out."


class ProductUnavailable(ShopError):
    message_id = "cart.product_unavailable"
    default = "This product is no longer available."


class LineNotFound(ShopError):
    """A cart line that is gone, or was never this buyer's: both read the same to the buyer."""

    message_id = "cart.line_not_found"
    default = "This item is no longer in your cart."


class CartEmpty(ShopError):
    message_id = "cart.empty"
    default = "Your cart is empty."


# --- delivery details -----------------------------------------------------------------------
class InvalidName(ShopError):
    message_id = "delivery.invalid_name"
    default = "Please send the recipient's full name: %(minimum)d to %(maximum)d letters."


class InvalidPhone(ShopError):
    message_id = "delivery.invalid_phone"
    default = (
        "That does not look like a phone number. Send it with the country code, "
        "like +49 30 1234567, or share your contact with the button."
    )


class InvalidAddress(ShopError):
    message_id = "delivery.invalid_address"
    default = (
        "Please send the street address with the house number, "
        "%(minimum)d to %(maximum)d characters."
    )


class InvalidCity(ShopError):
    message_id = "delivery.invalid_city"
    default = "Please send the city or town, %(minimum)d to %(maximum)d characters."


class InvalidPostalCode(ShopError):
    message_id = "delivery.invalid_postal_code"
    default = "That postal code does not look right: use letters, digits, spaces or dashes."


class InvalidAddressPart(ShopError):
    """A part of the address that is not valid in the delivery country, named for the buyer.

    `field` is the kind of part the country calls it ("zip", "state", "oblast", "postal"; the
    view translates it), `country` the ISO code, `example` what a valid one looks like.
    """

    message_id = "delivery.invalid_part"
    default = "%(field)s: that is not valid in %(country)s. For example: %(example)s"


class UnknownCountry(ShopError):
    message_id = "delivery.unknown_country"
    default = "I don't know that country. Send its name or its two-letter code, like DE."


class AmbiguousCountry(ShopError):
    """Several countries fit: the handler offers `candidates` (ISO codes) as buttons."""

    message_id = "delivery.ambiguous_country"
    default = "Which country do you mean?"

    def __init__(self, candidates: tuple[str, ...]) -> None:
        self.candidates = candidates
        super().__init__()


class NoShipping(ShopError):
    message_id = "checkout.no_shipping"
    default = "%(merchant)s does not deliver to %(country)s."


class TooHeavy(NoShipping):
    """The order weighs more than the merchant's heaviest weight tier for that country.

    `grams` is the order's weight, `limit` the heaviest it delivers there, both in grams (the
    view words them as "5 kg" in the reader's language).
    """

    message_id = "checkout.too_heavy"
    default = (
        "%(merchant)s delivers parcels up to %(limit)s to %(country)s; this order weighs %(grams)s."
    )


class ShopNotOpen(NoShipping):
    """The merchant has set no shipping at all: it cannot sell to anyone yet."""

    message_id = "checkout.shop_not_open"
    default = "%(merchant)s is not taking orders yet: it has not set up delivery."


# --- checkout and orders --------------------------------------------------------------------
class CheckoutExpired(ShopError):
    """A saved checkout that can no longer be read (an old format, a tampered value)."""

    message_id = "checkout.expired"
    default = "This checkout has expired. Please start it again from your cart."


class OrderNotFound(ShopError):
    """An order that does not exist or is another buyer's: the two are indistinguishable."""

    message_id = "order.not_found"
    default = "I can't find that order."


class InvalidTransition(ShopError):
    """A status change the order's status machine does not allow (or not for this actor)."""

    message_id = "order.invalid_transition"
    default = "This order is %(current)s and can't be changed to %(requested)s."


class MissingTracking(ShopError):
    message_id = "order.missing_tracking"
    default = "Please give the carrier and the tracking number to mark the order shipped."


class StockGone(ShopError):
    """A late payment for an order whose stock was released and sold meanwhile."""

    message_id = "order.stock_gone"
    default = "Order %(number)s was paid after it expired and is sold out now: it will be refunded."
