"""The one error of the storefront's own: a button that no longer fits what it points at."""

from __future__ import annotations


class StaleButton(ValueError):
    """Option indexes, a line operation or a "which one?" answer that do not fit any more
    (the catalog or the cart changed since the button was made, or it was forged): the buyer
    is told the button has expired and nothing changes."""
