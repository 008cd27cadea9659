"""`chatshop demo` read from a pipe: the README's promise, run as a newcomer would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHATSHOP = str(Path(sys.executable).with_name("chatshop"))


def _demo(tmp_path: Path, script: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSHOP_")}
    finished = subprocess.run(
        [CHATSHOP, "demo", "--fresh"],
        input=script,
        capture_output=True,
        text=True,
        timeout=180,
        env={**env, "CHATSHOP_DATA_DIR": str(tmp_path)},
        cwd=tmp_path,
        check=True,
    )
    return finished.stdout


def test_a_piped_script_gets_a_greeting_and_products_with_prices(tmp_path: Path) -> None:
    out = _demo(tmp_path, "/start\nheadphones\n")
    assert "bot: Hi You!" in out
    assert "Headphones" in out and "$" in out
    assert "[1] 1" in out  # the results' buttons, numbered to press


def test_a_whole_purchase_paid_and_shipped_from_the_terminal(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "enamel camping mug",
            "1",  # the first result
            "1",  # its first colour
            "7",  # Add to cart
            "2",  # Checkout
            "US",  # the country first: it decides the questions that follow
            "Ana Silva",
            "📱 Share my phone number",
            "5 Main Street",
            "New York",
            "NY",  # the state, which a US address needs
            "10001",
            "2",  # don't remember the details
            "1",  # confirm
            "1",  # Pay
            "1",  # the payment page: the demo clicks Pay
            "1",  # the shop's Accept
            "1",  # Ship
            "!DHL 1234567890",
        ]
    )
    out = _demo(tmp_path, script + "\n")
    assert "[browser] Thank you!" in out
    assert "[to the chat «Northwind Goods orders»]" in out
    assert "is on its way: DHL, tracking number 1234567890." in out
    assert "NEW YORK, NY 10001\nUNITED STATES" in out  # the shop's label, as USPS prints it


def test_a_second_run_on_the_same_data_answers_from_the_first_message(tmp_path: Path) -> None:
    """The stand-in numbers updates from 1 at every start; the last run's must not swallow them."""
    _demo(tmp_path, "/start\n")
    out = _demo(tmp_path, "/start\nheadphones\n")
    assert "bot: Hi You!" in out and "Headphones" in out
