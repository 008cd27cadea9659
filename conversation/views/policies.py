"""The shop's staff read and set their policy texts with /policy in the shop's group."""

from __future__ import annotations

from html import escape

from conversation.reply import Reply
from i18n import Translator
from merchants.policies import MAX_POLICY_CHARS, PolicyKind

PREVIEW = 200  # characters of each text in the listing


def kind_label(t: Translator, kind: PolicyKind) -> str:
    labels = {
        PolicyKind.RETURNS: t.gettext("Returns"),
        PolicyKind.SHIPPING: t.gettext("Delivery"),
        PolicyKind.PAYMENT: t.gettext("Payment"),
    }
    return labels[kind]


def policies(t: Translator, shop: str, found: dict[PolicyKind, str], *, saved: bool) -> Reply:
    """The shop's texts as buyers will read them, and how to change them."""
    _ = t.gettext
    lines = [_("Saved.")] if saved else []
    lines.append(_("What {shop} tells buyers who ask:").format(shop=escape(shop)))
    for kind in PolicyKind:
        text = found.get(kind)
        shown = escape(text[:PREVIEW] + ("…" if len(text) > PREVIEW else "")) if text else None
        lines += ["", f"<b>{kind_label(t, kind)}</b>", shown or _("not set")]
    lines += ["", usage(t)]
    return Reply("\n".join(lines))


def usage(t: Translator) -> str:
    return t.gettext(
        "Set a text with <code>/policy returns</code>, <code>/policy shipping</code> or "
        "<code>/policy payment</code> followed by the text; <code>/policy returns clear</code> "
        "removes it."
    )


def too_long(t: Translator, length: int) -> Reply:
    return Reply(
        t.gettext("That text has {length} characters; at most {limit} fit.").format(
            length=length, limit=MAX_POLICY_CHARS
        )
    )
