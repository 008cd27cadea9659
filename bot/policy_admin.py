"""`chatshop merchant policy SLUG --returns-file F ...`: a shop's own policy texts.

Each `--KIND-file` replaces that text with the file's (UTF-8); `--clear KIND` removes one. The
shop's texts are printed afterwards, each cut to its first line, so the operator sees what buyers
will be answered with.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TextIO

from bot.bootstrap import bootstrap
from bot.database import transaction
from bot.errors import ConfigurationError
from bot.settings import Settings
from bot.shipping_admin import merchant_named
from merchants.policies import PolicyKind, PolicyTooLong, policies_of, set_policy

PREVIEW = 70  # characters of each text in the printout


async def policy_command(
    settings: Settings, args: argparse.Namespace, out: TextIO | None = None
) -> int:
    out = out or sys.stdout
    texts: dict[PolicyKind, str] = {PolicyKind(kind): "" for kind in args.clear}
    for kind in PolicyKind:
        path = getattr(args, f"{kind.value}_file")
        if path:
            try:
                texts[kind] = await asyncio.to_thread(Path(path).read_text, encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as error:
                raise ConfigurationError(f"cannot read {path}: {error}") from None
    services, engine = await bootstrap(settings)
    try:
        async with transaction(services.sessions) as session:
            merchant = await merchant_named(session, args.slug)
            for kind, text in texts.items():
                try:
                    await set_policy(session, merchant_id=merchant.id, kind=kind, text=text)
                except PolicyTooLong as error:
                    raise ConfigurationError(
                        f"the {kind.value} text is too long: {error}"
                    ) from None
            found = await policies_of(session, merchant_id=merchant.id)
        for kind in PolicyKind:
            own = found.get(kind)
            shown = "not set" if own is None else own.splitlines()[0][:PREVIEW]
            print(f"{kind.value}: {shown}", file=out)
        return 0
    finally:
        await engine.dispose()
