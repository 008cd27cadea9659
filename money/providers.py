"""How payment providers count minor units, where that differs from CLDR: the one table.

CLDR (through babel) says how a currency is *written*: JPY 0 digits, USD 2, KWD 3. A payment API
says how an amount is *sent*: an integer in the provider's own minor unit, with its own rules.
The two agree for most currencies but not all, and a mistake here charges a buyer 100 times too
much or too little. So every deviation lives in `STRIPE` below, with the sentence it comes from,
and `tests/money/test_providers.py` checks each row against babel.

Source: Stripe, "Supported currencies" (docs.stripe.com/currencies), sections "Zero-decimal
currencies", "Three-decimal currencies" and "Special cases", as published in 2025-2026; the ISK
rule since 2023-04-14 (Stripe support article "Deprecation of fractional ISK charges").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType

from money.currency import exponent, normalise_code
from money.money import Money


class NotChargeable(ValueError):
    """The amount cannot be sent to the provider as it is: round it to `charge_quantum` first."""


class UnknownProvider(LookupError):
    """No minor-unit table for this payment provider."""


@dataclass(frozen=True, slots=True)
class MinorUnitRule:
    """How one provider encodes one currency.

    `exponent`: the power of ten the provider's integer counts (Stripe ISK: 2, so 5 ISK is 500).
    `multiple_of`: the integer must be divisible by this (ISK 100: whole krónur only; KWD 10: the
    last of the three digits must be 0). `note` says why, for whoever reads the table next.
    """

    exponent: int
    multiple_of: int = 1
    note: str = ""

    def __post_init__(self) -> None:
        if self.multiple_of < 1 or str(self.multiple_of).rstrip("0") != "1":
            raise ValueError(f"multiple_of must be a power of ten, got {self.multiple_of}")

    @property
    def quantum(self) -> Decimal:
        """The smallest amount step the provider accepts, in major units (ISK 1, KWD 0.01).

        Always written as a bare power of ten (1E-2, not 0.010), because `Decimal.quantize`
        rounds to the quantum's exponent, not to its value.
        """
        return Decimal(1).scaleb(len(str(self.multiple_of)) - 1 - self.exponent)


@dataclass(frozen=True, slots=True)
class ProviderTable:
    """A provider's exceptions; every currency not listed uses `default_exponent`.

    `default_exponent=None` means "whatever CLDR says" (a provider that takes decimal strings).
    """

    name: str
    default_exponent: int | None
    rules: Mapping[str, MinorUnitRule]

    def rule(self, currency: str) -> MinorUnitRule:
        code = normalise_code(currency)
        if code in self.rules:
            return self.rules[code]
        digits = exponent(code) if self.default_exponent is None else self.default_exponent
        return MinorUnitRule(digits)


_ZERO_DECIMAL = "zero-decimal at Stripe: the amount is the number of whole units"
_THREE_DECIMAL = "three-decimal at Stripe, but the last digit must be 0: round to the nearest ten"
_PAYOUT_ONLY = (
    "two-decimal for charges; Stripe treats it as zero-decimal only for payouts (a manual payout "
    "must be divisible by 100), which this shop does not make"
)
_WHOLE_IN_TWO = (
    "Stripe special case: zero-decimal in practice, but sent in two-decimal form whose last two "
    "digits are 00 (5 units = 500); fractions cannot be charged"
)

# Stripe's zero-decimal list, less UGX (its special-case row governs, see below).
_STRIPE_ZERO_DECIMAL = (
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "VND", "VUV", "XAF",
    "XOF", "XPF",
)  # fmt: skip

STRIPE = ProviderTable(
    name="stripe",
    default_exponent=2,  # "Currencies are two-decimal currencies unless otherwise specified"
    rules=MappingProxyType(
        {
            **{code: MinorUnitRule(0, note=_ZERO_DECIMAL) for code in _STRIPE_ZERO_DECIMAL},
            # UGX is in Stripe's zero-decimal list too, but its special-case row governs.
            "UGX": MinorUnitRule(2, multiple_of=100, note=_WHOLE_IN_TWO),
            "ISK": MinorUnitRule(2, multiple_of=100, note=_WHOLE_IN_TWO),
            "HUF": MinorUnitRule(2, note=_PAYOUT_ONLY),
            "TWD": MinorUnitRule(2, note=_PAYOUT_ONLY),
            **{
                code: MinorUnitRule(3, multiple_of=10, note=_THREE_DECIMAL)
                for code in ("BHD", "JOD", "KWD", "OMR", "TND")
            },
        }
    ),
)

# Every presentment currency Stripe lists on "Supported currencies" (docs.stripe.com/currencies,
# as published in 2025-2026). The property tests run the table over each of them; a currency
# not listed here still gets Stripe's default rule, but nobody has checked Stripe takes it.
STRIPE_CURRENCIES: frozenset[str] = frozenset((
    "USD", "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD",
    "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP",
    "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL",
    "HTG", "HUF", "IDR", "ILS", "INR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF",
    "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD",
    "MMK", "MNT", "MOP", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK",
    "NPR", "NZD", "OMR", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD",
    "RUB", "RWF", "SAR", "SBD", "SCR", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "STD", "SZL",
    "THB", "TJS", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "UYU", "UZS", "VND",
    "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW",
))  # fmt: skip

# A provider that takes amounts as CLDR writes them (the generic payment link, the sandbox).
CLDR = ProviderTable(name="cldr", default_exponent=None, rules=MappingProxyType({}))

PROVIDERS: Mapping[str, ProviderTable] = MappingProxyType({"stripe": STRIPE, "cldr": CLDR})


def provider_table(provider: str) -> ProviderTable:
    try:
        return PROVIDERS[provider]
    except KeyError:
        raise UnknownProvider(f"no minor-unit table for provider {provider!r}") from None


def charge_quantum(currency: str, provider: str = "stripe") -> Decimal:
    """The smallest step a price charged through `provider` may have, in major units.

    The coarser of CLDR's precision and the provider's rule, so an amount rounded to it is both
    displayable and chargeable: ISK 1 (CLDR 0 digits, Stripe whole krónur), KWD 0.01 (CLDR 3
    digits, Stripe's last digit 0), ALL 1 (CLDR 0 digits, Stripe two-decimal). Both are powers of
    ten times 1, so the coarser one is a multiple of the finer one.
    """
    cldr = Decimal(1).scaleb(-exponent(normalise_code(currency)))
    return max(cldr, provider_table(provider).rule(currency).quantum)


def provider_minor_units(money: Money, provider: str = "stripe") -> int:
    """The integer `amount` the provider's API expects for `money` (Stripe: 5 ISK → 500).

    Refuses (`NotChargeable`) rather than rounds: a charge must never differ from the amount the
    order recorded, so rounding belongs to the quote, before the buyer sees the price.
    """
    rule = provider_table(provider).rule(money.currency)
    scaled = money.amount.scaleb(rule.exponent)
    if scaled != scaled.to_integral_value() or int(scaled) % rule.multiple_of:
        raise NotChargeable(
            f"{money} cannot be charged through {provider}: "
            f"it must be a multiple of {charge_quantum(money.currency, provider)} {money.currency}"
        )
    return int(scaled)


def from_provider_minor_units(minor: int, currency: str, provider: str = "stripe") -> Money:
    """The inverse of `provider_minor_units`, for amounts a provider reports back (webhooks)."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError(f"provider amounts are integers, got {type(minor).__name__}")
    rule = provider_table(provider).rule(currency)
    return Money(Decimal(minor).scaleb(-rule.exponent), currency)
