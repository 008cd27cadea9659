"""Routing button presses through the one codec (`conversation.callbacks`).

Every `CallbackQueryHandler` matches on the *decoded* action (`on(...)`), never on a regex over
the raw payload, so a payload that does not decode reaches no handler and falls through to
`fallback.stale_button` ("this button has expired").
"""

from __future__ import annotations

from collections.abc import Callable

from conversation import callbacks


def on(*actions: str) -> Callable[[object], bool]:
    """A CallbackQueryHandler pattern: the payload decodes, to one of `actions`."""
    unknown = set(actions) - callbacks.ACTIONS.keys()
    if unknown:
        raise ValueError(f"no such callback action: {', '.join(sorted(unknown))}")

    def matches(data: object) -> bool:
        if not isinstance(data, str):
            return False
        try:
            return callbacks.decode(data).action in actions
        except callbacks.InvalidCallback:
            return False

    return matches
