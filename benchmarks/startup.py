"""How long chatshop takes to start: `python -m benchmarks.startup [--runs N]`.

Measures, as a user meets them, each over several runs (minimum and median):
- `chatshop --help` (every CLI command pays at least this);
- the slowest single module of `import bot.cli` (`python -X importtime`), the base issue's
  "no module over 100 ms of its own" target;
- the demo answering a piped `/start`: from launching the process to the bot's first reply,
  on an empty data directory (the demo seeds its catalog first) and again on the seeded one.
Nothing here is asserted: it prints a table; compare it with the README's figures.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
CHATSHOP = str(BIN / "chatshop")


def time_help() -> float:
    started = time.perf_counter()
    subprocess.run([CHATSHOP, "--help"], check=True, capture_output=True)
    return time.perf_counter() - started


def slowest_import() -> tuple[float, str]:
    """The module of `import bot.cli` with the largest self time, in seconds."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import bot.cli"],
        check=True,
        capture_output=True,
        text=True,
    )
    rows = []
    for line in done.stderr.splitlines():
        parts = line.removeprefix("import time:").split("|")
        if len(parts) == 3 and parts[0].strip().isdigit():
            rows.append((int(parts[0]) / 1e6, parts[2].strip()))
    return max(rows)


def time_demo_reply(data_dir: Path) -> float:
    """Seconds from starting `chatshop demo` to the first line the bot writes back."""
    environment = {**os.environ, "CHATSHOP_DATA_DIR": str(data_dir)}
    started = time.perf_counter()
    demo = subprocess.Popen(
        [CHATSHOP, "demo"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=environment,
    )
    assert demo.stdin is not None and demo.stdout is not None
    demo.stdin.write("/start\n")
    demo.stdin.flush()
    try:
        for line in demo.stdout:
            if line.startswith("bot:"):
                return time.perf_counter() - started
        raise RuntimeError("the demo ended without answering /start")
    finally:
        demo.stdin.close()
        demo.terminate()
        demo.wait()


def summary(samples: list[float]) -> str:
    return f"{min(samples):.2f} | {statistics.median(samples):.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    help_times = [time_help() for _ in range(args.runs)]
    imports = [slowest_import() for _ in range(args.runs)]
    fresh, seeded = [], []
    for _ in range(max(1, args.runs // 2)):
        with tempfile.TemporaryDirectory() as directory:
            fresh.append(time_demo_reply(Path(directory)))
            seeded.append(time_demo_reply(Path(directory)))
    module = min(imports)[1]
    print(f"load average at the end: {os.getloadavg()[0]:.2f}, runs: {args.runs}")
    print("| what | min s | median s |")
    print("| :--- | ---: | ---: |")
    print(f"| `chatshop --help` | {summary(help_times)} |")
    print(f"| slowest module of `import bot.cli` ({module}) | {summary([t for t, _ in imports])} |")
    print(f"| demo, first reply to /start, empty data dir (seeds) | {summary(fresh)} |")
    print(f"| demo, first reply to /start, seeded | {summary(seeded)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
