"""The `chatshop` command."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.errors import ConfigurationError
from bot.logs import configure as configure_logging

if TYPE_CHECKING:
    from bot.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    configure_logging(args.verbose, _secrets_in_environment())
    try:
        return asyncio.run(args.run(args)) or 0
    except ConfigurationError as error:
        print(f"chatshop: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _secrets_in_environment() -> list[str]:
    """Values of CHATSHOP_* settings that are secrets: never written to a log."""
    words = ("TOKEN", "SECRET", "KEY", "PASSWORD")
    return [
        value
        for name, value in os.environ.items()
        if name.startswith("CHATSHOP_") and any(word in name for word in words) and value
    ]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chatshop", description=__doc__)
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log chatshop in detail (-vv: every library too); secrets and personal data redacted",
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="chat with the shop offline, in this terminal")
    demo.add_argument("--language", default="en", help="your Telegram language code, e.g. zh-hans")
    demo.add_argument("--fresh", action="store_true", help="start from an empty demo database")
    demo.set_defaults(run=_demo)

    run = commands.add_parser("run", help="run the bot with CHATSHOP_TELEGRAM_TOKEN (long polling)")
    run.set_defaults(run=_run)

    serve = commands.add_parser(
        "serve", help="run the bot in webhook mode with its web server (payments, checkout pages)"
    )
    serve.set_defaults(run=_serve)

    database = commands.add_parser("db", help="database maintenance")
    database_commands = database.add_subparsers(required=True, metavar="ACTION")
    database_commands.add_parser("upgrade", help="apply migrations").set_defaults(run=_db_upgrade)

    rates = commands.add_parser("rates", help="exchange rates")
    rates_commands = rates.add_subparsers(required=True, metavar="ACTION")
    rates_commands.add_parser("refresh", help="fetch the ECB's rates now").set_defaults(
        run=_rates_refresh
    )

    catalog = commands.add_parser("catalog", help="import and export products")
    catalog_commands = catalog.add_subparsers(required=True, metavar="ACTION")
    importing = catalog_commands.add_parser("import", help="import a CSV or Shopify export")
    importing.add_argument("file", type=Path)
    importing.add_argument("--merchant", required=True, help="merchant slug (created if new)")
    importing.add_argument("--currency", help="prices' currency for a new merchant, e.g. USD")
    importing.add_argument("--skip-bad-rows", action="store_true", help="import the good rows")
    importing.set_defaults(run=_catalog_import)
    exporting = catalog_commands.add_parser("export", help="export a merchant's catalog as CSV")
    exporting.add_argument("--merchant", required=True)
    exporting.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    exporting.set_defaults(run=_catalog_export)
    translations = catalog_commands.add_parser(
        "import-translations",
        help="import Shopify's translation export (Settings > Languages > Export)",
    )
    translations.add_argument("file", type=Path)
    translations.add_argument("--merchant", required=True, help="merchant slug")
    translations.set_defaults(run=_catalog_translations)

    from bot.merchant_cli import add_arguments as add_merchant_commands

    add_merchant_commands(commands)
    return parser


async def _until_signalled(job: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await job(stop)


async def _run(args: argparse.Namespace) -> None:
    from bot.app import build_application
    from bot.bootstrap import bootstrap
    from bot.runner import polling

    settings = _settings()
    if not settings.telegram_token:
        raise ConfigurationError(
            "CHATSHOP_TELEGRAM_TOKEN is not set; get a token from @BotFather "
            "(or try `chatshop demo`, which needs none)."
        )
    services, engine = await bootstrap(settings)
    application = build_application(
        services, token=settings.telegram_token, api_url=settings.telegram_api_url
    )

    async def serve(stop: asyncio.Event) -> None:
        async with polling(application):
            me = application.bot
            print(f"chatshop is running as @{me.username}; Ctrl-C stops it.", file=sys.stderr)
            await stop.wait()

    try:
        await _until_signalled(serve)
    finally:
        await engine.dispose()


async def _serve(args: argparse.Namespace) -> None:
    from bot.serve import serve

    await serve(_settings())


async def _demo(args: argparse.Namespace) -> None:
    from bot.demo_chat import run_demo

    await run_demo(language=args.language, fresh=args.fresh)


async def _db_upgrade(args: argparse.Namespace) -> None:
    from bot.bootstrap import bootstrap

    # bootstrap also seals payment secrets an older version stored plain (CHATSHOP_SECRET_KEY).
    _, engine = await bootstrap(_settings(), migrate=True)
    await engine.dispose()
    print("The database schema is up to date.")


async def _rates_refresh(args: argparse.Namespace) -> int:
    from bot.bootstrap import bootstrap
    from bot.rates import refresh_command

    settings = _settings()
    services, engine = await bootstrap(settings)
    try:
        return await refresh_command(settings, services.sessions)
    finally:
        await engine.dispose()


async def _catalog_import(args: argparse.Namespace) -> int:
    from bot.catalog_cli import import_file

    return await import_file(
        _settings(),
        args.file,
        merchant=args.merchant,
        currency=args.currency,
        skip_bad_rows=args.skip_bad_rows,
    )


async def _catalog_translations(args: argparse.Namespace) -> int:
    from bot.catalog_cli import import_translations_file

    return await import_translations_file(_settings(), args.file, merchant=args.merchant)


async def _catalog_export(args: argparse.Namespace) -> int:
    from bot.catalog_cli import export_file

    return await export_file(_settings(), merchant=args.merchant, output=args.output)


def _settings() -> Settings:
    # Imported on use: pydantic alone would double the time `chatshop --help` takes.
    from bot.settings import load_settings

    return load_settings()


if __name__ == "__main__":
    sys.exit(main())
