"""End to end: real chatshop workers and a bare PTB echo bot against the Bot API stand-in.

`python -m benchmarks.bot` runs the echo bot, then a `chatshop` worker per scenario (catalog ×
database × update delivery), each with simulated buyers searching, opening cards, choosing
options, adding to the cart and looking at it. Catalogs: the demo shops, and 100k products made
by the search benchmark's generator (its first run fetches the vocabulary; see the README).
It prints updates/s, the worker's CPU ms per update, SQL statements and transactions per update,
latency percentiles at paced loads and in a burst, RSS, start-up time and the first search's
latency, writes them to benchmarks/out/bot.md (raw numbers: bot.json) and plots them (bot.png).
`--quick`: SQLite, polling, the demo catalog, short loads (about a minute).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from benchmarks.botbench import report
from benchmarks.botbench.runner import Options, run

OUT = Path(__file__).resolve().parent / "out"
POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test_botbench"


def _floats(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(",") if part)


def _words(text: str) -> tuple[str, ...]:
    return tuple(part for part in text.split(",") if part)


def _catalogs(text: str) -> tuple[int, ...]:
    """ "demo,100000" → (0, 100000): 0 is the demo shops alone."""
    return tuple(0 if part == "demo" else int(part) for part in _words(text))


def options_from(args: argparse.Namespace) -> Options:
    if args.quick:
        defaults = {"databases": ("sqlite",), "modes": ("polling",), "catalogs": (0,),
                    "rates": (6.0, 20.0), "duration": 4.0, "buyers": 12, "burst": 30,
                    "idle": 1.5}  # fmt: skip
    else:
        defaults = {"databases": ("sqlite", "postgres"), "modes": ("polling", "webhook"),
                    "catalogs": (0, 100_000), "rates": (6.0, 20.0), "duration": 20.0,
                    "buyers": 40, "burst": 200, "idle": 3.0}  # fmt: skip
    chosen = {
        "databases": _words(args.databases) if args.databases else None,
        "modes": _words(args.modes) if args.modes else None,
        "catalogs": _catalogs(args.catalogs) if args.catalogs else None,
        "rates": _floats(args.rates) if args.rates else None,
        "duration": args.duration,
        "buyers": args.buyers,
        "burst": args.burst,
        "idle": None,
    }
    merged = {k: v if v is not None else defaults[k] for k, v in chosen.items()}
    return Options(postgres_url=args.postgres_url, echo=not args.no_echo, **merged)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="SQLite, polling, short loads")
    parser.add_argument("--databases", help="comma-separated: sqlite,postgres")
    parser.add_argument("--modes", help="comma-separated: polling,webhook")
    parser.add_argument("--catalogs", help="comma-separated: demo and/or product counts (100000)")
    parser.add_argument("--rates", help="paced loads in updates/s, comma-separated (6,20)")
    parser.add_argument("--duration", type=float, help="seconds of each paced load")
    parser.add_argument("--buyers", type=int, help="buyers in the paced loads")
    parser.add_argument("--burst", type=int, help="buyers sending at once in the burst")
    parser.add_argument("--postgres-url", default=POSTGRES_URL,
                        help="a database the run may drop and create again")  # fmt: skip
    parser.add_argument("--no-echo", action="store_true", help="leave the echo bot out")
    parser.add_argument("--out", type=Path, default=OUT, help="where bot.md and bot.png go")
    args = parser.parse_args(argv)
    options = options_from(args)
    command = "python -m benchmarks.bot " + " ".join(argv if argv is not None else sys.argv[1:])

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="botbench-") as directory:
        try:
            result = asyncio.run(run(options, Path(directory), say))
        except Exception:
            for log in sorted(Path(directory).rglob("*.log")):
                say(f"--- {log.name} ---\n{log.read_text(errors='replace')[-3000:]}")
            raise
    text = report.markdown(result, options, command.strip())
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bot.md").write_text(text + "\n", encoding="utf-8")
    (args.out / "bot.json").write_text(json.dumps(asdict(result), indent=1), encoding="utf-8")
    report.plot(result, args.out / "bot.png")
    print(f"\nwritten: bot.md, bot.json and bot.png in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
