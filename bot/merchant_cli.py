"""`chatshop merchant add|edit|list|invite|claim-code|new-secret-key`: the arguments (the actions
are in `bot.merchant_admin`).

Payment secrets never travel on the command line (where `ps` and the shell's history would show
them): they are read from an environment variable, a file, or a prompt, stored encrypted, and
never printed: `list` shows them as "set" or "not set".
"""

from __future__ import annotations

import argparse


def add_arguments(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Adds `merchant add|edit|list` to the `chatshop` command."""
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


async def _run(args: argparse.Namespace) -> int:
    # Imported here so that `chatshop --help` does not load the database layer.
    from bot.merchant_admin import merchant_command
    from bot.settings import load_settings

    return await merchant_command(load_settings(), args)


async def _new_secret_key(args: argparse.Namespace) -> int:
    from merchants.secrets import new_key

    print(new_key())
    return 0
