"""Money: exact amounts, currencies, FX rates and locale-aware formatting.

Of ours it knows only `db` (the shared declarative base, for `money.models`); outside, babel for
CLDR, httpx for the ECB feed, rapidfuzz for /currency search. Modules, one purpose each:
`money` and `currency` (the value), `providers` (payment providers' minor units),
`formatting`, `rates` (ECB feed and bundled snapshot), `models` and `rate_store` (rates in the
database), `conversion` (policy and quotes), `locale_currency` (the buyer's currency).
"""

from money.currency import UnknownCurrency, exponent, normalise_code
from money.money import CurrencyMismatch, Money

__all__ = ["CurrencyMismatch", "Money", "UnknownCurrency", "exponent", "normalise_code"]
