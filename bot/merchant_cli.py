"""`chatshop merchant add|edit|list|invite|claim-code|new-secret-key|shipping|policy`: the
arguments (the actions are in `bot.merchant_admin`, `bot.shipping_admin`, `bot.policy_admin`).

Payment secrets never travel on the command line (where `ps` and the shell's history would show
them): they are read from an environment variable, a file, or a prompt, stored encrypted, and
never printed: `list` shows them as "set" or "not set".
"""

from __future__ import annotations

import argparse


def add_arguments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `merchant add|edit|list|shipping|policy` to the `chatshop` command."""
    merchant = commands.add_parser("merchant", help="merchants and their settings")
    actions = merchant.add_subparsers(required=True, metavar="ACTION")
    add = actions.add_parser("add", help="a new merchant")
    add.add_argument("slug", help="short id, e.g. demo-us")
    add.add_argument("--currency", required=True, help="base currency, e.g. USD")
    add.add_argument("--name", help="shop name (default: the slug)")
    _settings_arguments(add)
    add.set_defaults(run=_run, action="add")
    edit = actions.add_parser("edit", help="change a merchant's settings")
    edit.add_argument("slug")
    edit.add_argument("--name")
    _settings_arguments(edit)
    edit.add_argument("--remove-staff", type=int, action="append", default=[], metavar="USER_ID")
    edit.set_defaults(run=_run, action="edit")
    listing = actions.add_parser("list", help="every merchant with its settings (no secrets)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(run=_run, action="list")
    invite = actions.add_parser("invite", help="print a one-time code that lets a group /newshop")
    invite.set_defaults(run=_run, action="invite")
    claim = actions.add_parser("claim-code", help="print a new one-time code for /setup SLUG CODE")
    claim.add_argument("slug")
    claim.set_defaults(run=_run, action="claim-code")
    key = actions.add_parser("new-secret-key", help="print a new key for CHATSHOP_SECRET_KEY")
    key.set_defaults(run=_new_secret_key, action="new-secret-key")
    _shipping_arguments(actions)
    _policy_arguments(actions)


def _settings_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--language", help="language of order notices, e.g. de")
    parser.add_argument("--chat", type=int, help="Telegram chat id for order notices")
    parser.add_argument(
        "--staff", type=int, action="append", default=[], metavar="USER_ID",
        help="a Telegram user id allowed to act on orders (repeatable)",
    )  # fmt: skip
    parser.add_argument("--fx-margin", help="percent added to the exchange rate, e.g. 2.5")
    parser.add_argument("--price-ending", choices=["99", "whole", "none"])
    parser.add_argument("--charge-currency", choices=["buyer", "merchant"])
    parser.add_argument(
        "--digest-hour", type=int, metavar="HOUR", help="daily summary from this hour, 0-23 UTC"
    )
    parser.add_argument("--payment-provider", help="stripe, payment_link, sandbox or none")
    parser.add_argument("--payment", action="append", default=[], metavar="KEY=VALUE",
                        help="a setting that is no secret, e.g. url_template=...")  # fmt: skip
    secrets = parser.add_argument_group(
        "payment secrets (stripe_api_key, stripe_webhook_secret, callback_secret)"
    )
    secrets.add_argument(
        "--payment-secret-from-env",
        action="append",
        default=[],
        metavar="FIELD=VARIABLE",
        help="read FIELD from an environment variable",
    )
    secrets.add_argument(
        "--payment-secret-file",
        action="append",
        default=[],
        metavar="FIELD=PATH",
        help="read FIELD from a file (first line)",
    )
    secrets.add_argument("--payment-secret-prompt", action="append", default=[],
                         metavar="FIELD", help="ask for FIELD without echoing it")  # fmt: skip


def _shipping_arguments(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """`merchant shipping add|list|remove|export|import` (actions in `bot.shipping_admin`)."""
    shipping = actions.add_parser("shipping", help="where a merchant delivers, at what cost")
    commands = shipping.add_subparsers(required=True, metavar="ACTION")
    add = commands.add_parser("add", help="a zone: countries, price, free-from, days, tiers")
    add.add_argument("slug")
    add.add_argument("--to", required=True, help="ISO country codes, e.g. DE,FR,AT; * = the rest")
    add.add_argument("--price", help="in the shop's currency, e.g. 4.90 (not with --tier)")
    add.add_argument("--free-from", help="orders from this value ship free, e.g. 60")
    add.add_argument("--days", help="delivery days, e.g. 3-5")
    add.add_argument("--items", action="append", default=[], metavar="N:PRICE",
                     help="from N items this price instead, e.g. 3:6.90 (repeatable)")  # fmt: skip
    add.add_argument("--tier", action="append", default=[], metavar="WEIGHT=PRICE",
                     help="parcels up to WEIGHT (kg, g, lb, oz) cost PRICE, e.g. 2kg=4.90; "
                     "repeatable; heavier orders than the last tier are not delivered to the "
                     "zone; replaces --price")  # fmt: skip
    remove = commands.add_parser("remove", help="remove countries' rules (or --all)")
    remove.add_argument("slug")
    which = remove.add_mutually_exclusive_group(required=True)
    which.add_argument("--to", help="ISO country codes, e.g. DE,FR or *")
    which.add_argument("--all", action="store_true", help="every rule of the shop")
    listing = commands.add_parser("list", help="the shop's zones")
    listing.add_argument("slug")
    export = commands.add_parser("export", help="the zones as CSV")
    export.add_argument("slug")
    export.add_argument("-o", "--output", help="file to write (default: standard output)")
    load = commands.add_parser("import", help="replace every rule by a CSV's zones")
    load.add_argument("slug")
    load.add_argument("file", help="CSV: countries,price,free_from,min_days,max_days,"
                      "item_tiers,weight_tiers")  # fmt: skip
    for action, parser in (("add", add), ("remove", remove), ("list", listing),
                           ("export", export), ("import", load)):  # fmt: skip
        parser.set_defaults(run=_run_shipping, shipping_action=action)


POLICY_KINDS = ("returns", "shipping", "payment")  # merchants.policies.PolicyKind, unimported:
# `chatshop --help` does not load the database layer


def _policy_arguments(actions: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    policy = actions.add_parser("policy", help="the shop's returns, shipping and payment texts")
    policy.add_argument("slug")
    for kind in POLICY_KINDS:
        policy.add_argument(f"--{kind}-file", metavar="FILE", help=f"the {kind} text (UTF-8)")
    policy.add_argument(
        "--clear", action="append", default=[], choices=POLICY_KINDS,
        help="remove a text (repeatable)",
    )  # fmt: skip
    policy.set_defaults(run=_run_policy, action="policy")


async def _run_policy(args: argparse.Namespace) -> int:
    from bot.policy_admin import policy_command
    from bot.settings import load_settings

    return await policy_command(load_settings(), args)


async def _run_shipping(args: argparse.Namespace) -> int:
    from bot.settings import load_settings
    from bot.shipping_admin import shipping_command

    return await shipping_command(load_settings(), args)


async def _run(args: argparse.Namespace) -> int:
    # Imported here so that `chatshop --help` does not load the database layer.
    from bot.merchant_admin import merchant_command
    from bot.settings import load_settings

    return await merchant_command(load_settings(), args)


async def _new_secret_key(args: argparse.Namespace) -> int:
    from merchants.secrets import new_key

    print(new_key())
    return 0
