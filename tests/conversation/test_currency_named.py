"""Property: every sentence that names a currency names the one prices are really shown in.

The greeting and the payment message are rendered in every shipped language for any pair of
(currency shown, the buyer's own currency without a rate); the only other code they may name
is the missing currency, and only inside the sentence saying there is no rate for it.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from conversation.views.common import greeting
from i18n import SHIPPED_LOCALES, translator
from money.rates import bundled_rates

CODES = re.compile(r"\b[A-Z]{3}\b")
SHOWN = sorted(bundled_rates().currencies)
MISSING = ["RUB", "EGP", "TWD", "IRR", "VES", "NGN", "UAH", "KZT"]


@settings(max_examples=200)
@given(st.sampled_from(SHIPPED_LOCALES), st.sampled_from(SHOWN), st.sampled_from(MISSING))
def test_the_greeting_names_only_the_shown_currency(locale: str, shown: str, missing: str) -> None:
    t = translator(locale)
    reply = greeting(t, first_name="Lin", currency=shown, missing=missing, offers=(shown, "EUR"))
    no_rate = t.gettext("Prices are in {shown}: I have no exchange rate for {wanted}.").format(
        shown=shown, wanted=missing
    )
    assert no_rate in reply.text
    rest = reply.text.replace(no_rate, "")
    assert set(CODES.findall(rest)) == {shown}, rest
    assert reply.buttons[0][0].text == f"✓ {shown}"  # the shown one is the one ticked


@given(st.sampled_from(SHIPPED_LOCALES), st.sampled_from(SHOWN))
def test_a_greeting_without_a_missing_currency_names_the_shown_one(locale: str, shown: str) -> None:
    reply = greeting(translator(locale), first_name="Lin", currency=shown, missing=shown)
    assert set(CODES.findall(reply.text)) == {shown} and not reply.buttons
