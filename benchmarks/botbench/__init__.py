"""The end-to-end bot benchmark's parts (`python -m benchmarks.bot`), in the order a run uses them.

`sql_counter`/`worker` (inside the measured process) → `processes` (starting it, reading its
CPU and memory from /proc) → `database` (a seeded catalog per scenario) → `buyers` (simulated
buyers on the stand-in, latencies) → `phases` (paced load, burst) → `runner` → `report`.
`echo_bot` is the bare python-telegram-bot peer measured beside chatshop.
"""
