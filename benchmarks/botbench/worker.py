"""`python -m benchmarks.botbench.worker ARGS...`: the `chatshop ARGS...` command, counting SQL.

The benchmark starts chatshop through this module rather than the `chatshop` script so that the
statement counter (`sql_counter`) can be installed first when CHATSHOP_COUNT_SQL names a file;
nothing else differs from the shipped command.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from benchmarks.botbench import sql_counter


def main() -> int:
    target = os.environ.get("CHATSHOP_COUNT_SQL")
    if target:
        sql_counter.install(Path(target))
    from bot.cli import main as chatshop

    return chatshop(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
