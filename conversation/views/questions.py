"""Questions about an order: the buyer's prompts, the notice in the shop's chat, the answer.

The notice is in the shop's language and names the buyer's language (their words are passed on
as written: no translation); the answer is in the buyer's language and names the shop. What
people typed is escaped before it meets HTML.
"""

from __future__ import annotations

from html import escape

from babel import Locale, UnknownLocaleError

from conversation import callbacks
from conversation.reply import Button, Reply
from i18n import N_, Translator, negotiate_locale, translator
from merchants.questions import (
    TEXT_MAX,
    Asking,
    OwedMessage,
    QuestionNotice,
    QuestionRefusal,
    ShopAnswer,
)

# `ask` with order 0 (never an order id) is the Cancel button under the prompt.
CANCEL_ORDER = 0

_REFUSALS = {
    QuestionRefusal.NOT_FOUND: N_("This order is no longer available to ask about."),
    QuestionRefusal.SHOP_UNREACHABLE: N_(
        "This shop cannot receive messages through the bot yet. Sorry!"
    ),
    QuestionRefusal.TOO_LONG: N_(
        "That is too long for one message: please keep it under {limit} characters."
    ),
    QuestionRefusal.NOT_STAFF: N_("Only the shop's staff can answer buyers."),
}


def ask_button(t: Translator, order_id: int) -> Button:
    """The button on an order's details that starts a question to its shop."""
    return Button(t.gettext("💬 Ask the shop"), callbacks.encode("ask", order_id))


def ask_shop_button(t: Translator, merchant_id: int, name: str) -> Button:
    """A button that starts a question to a shop before buying."""
    return Button(
        t.gettext("💬 Ask {shop}").format(shop=name[:40]), callbacks.encode("askm", merchant_id)
    )


def ask_prompt(t: Translator, asking: Asking) -> Reply:
    cancel = Button(t.gettext("✖️ Cancel"), callbacks.encode("ask", CANCEL_ORDER))
    if not asking.number:
        text = t.gettext(
            "Write your question to {shop} in one message, and I will pass it on. "
            "Their answer will arrive here."
        ).format(shop=escape(asking.merchant_name))
        return Reply(text, buttons=((cancel,),))
    text = t.gettext(
        "Write your question about order <b>{number}</b> in one message, and I will pass it "
        "on to {shop}. Their answer will arrive here."
    ).format(number=escape(asking.number), shop=escape(asking.merchant_name))
    return Reply(text, buttons=((cancel,),))


def question_sent(t: Translator, number: str, shop: str) -> Reply:
    if not number:
        return Reply(
            t.gettext("Sent to {shop}. Their answer will arrive here.").format(shop=escape(shop))
        )
    return Reply(
        t.gettext("Sent to {shop}. Their answer about order {number} will arrive here.").format(
            shop=escape(shop), number=escape(number)
        )
    )


def question_cancelled(t: Translator) -> Reply:
    text = t.gettext("All right, no question sent.")
    return Reply(text, notice=text, edit=True)


def refused(t: Translator, refusal: QuestionRefusal) -> Reply:
    text = t.gettext(_REFUSALS[refusal]).format(limit=TEXT_MAX)
    return Reply(text, notice=text)


def language_name(locale: str, reader: Translator) -> str:
    """The buyer's language as the shop reads it, with its code: "German (de)"."""
    try:
        name = Locale.parse(locale).get_display_name(reader.locale) or locale
    except (ValueError, TypeError, UnknownLocaleError):
        name = locale
    return f"{name} ({locale})"


def question_notice(t: Translator, notice: QuestionNotice) -> Reply:
    """The buyer's question in the shop's chat; staff answer it with a reply."""
    _ = t.gettext
    if notice.number:
        head = _("❓ Question about order {number}").format(number=escape(notice.number))
    else:
        head = _("❓ Question from a buyer, before ordering")
    lines = [
        "<b>" + head + "</b>",
        _("From the buyer (Telegram id {id}), who writes in {language}:").format(
            id=f"<code>{notice.buyer_user_id}</code>",
            language=escape(language_name(notice.buyer_locale, t)),
        ),
        "",
        escape(notice.text),
        "",
        "<i>" + _("Reply to this message to answer the buyer.") + "</i>",
    ]
    return Reply("\n".join(lines))


def shop_answer(t: Translator, answer: ShopAnswer) -> Reply:
    """The shop's answer in the buyer's chat."""
    if not answer.number:
        head = t.gettext("💬 {shop} answers your question:").format(
            shop=escape(answer.merchant_name)
        )
        return Reply(f"<b>{head}</b>\n\n{escape(answer.text)}")
    head = t.gettext("💬 {shop} about your order {number}:").format(
        shop=escape(answer.merchant_name), number=escape(answer.number)
    )
    return Reply(f"<b>{head}</b>\n\n{escape(answer.text)}")


def answer_sent(t: Translator, number: str) -> Reply:
    if not number:
        return Reply(t.gettext("Sent to the buyer."))
    return Reply(t.gettext("Sent to the buyer of order {number}.").format(number=escape(number)))


def render(owed: OwedMessage) -> Reply:
    """An owed message in its reader's language."""
    t = translator(negotiate_locale(owed.locale))
    if isinstance(owed.content, QuestionNotice):
        return question_notice(t, owed.content)
    return shop_answer(t, owed.content)
