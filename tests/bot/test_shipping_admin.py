"""`chatshop merchant shipping …` through `bot.cli.main`, on a temporary SQLite database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite"
    monkeypatch.setenv("CHATSHOP_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("CHATSHOP_DEFAULT_LANGUAGE", "en")
    return path


def test_a_new_shop_is_told_it_needs_shipping_then_zones_are_added_listed_and_removed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["merchant", "add", "my-shop", "--currency", "EUR"]) == 0
    assert "no shipping rules: buyers cannot order" in capsys.readouterr().out

    add = ["merchant", "shipping", "add", "my-shop"]
    assert main([*add, "--to", "DE,FR,AT", "--price", "4.90", "--free-from", "60",
                 "--days", "3-5"]) == 0  # fmt: skip
    assert (
        main([*add, "--to", "*", "--price", "14.90", "--days", "7-14", "--items", "3:19.90"]) == 0
    )
    capsys.readouterr()
    assert main(["merchant", "shipping", "list", "my-shop"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "AT DE FR: 4.90 EUR, free from 60.00 EUR, 3-5 days",
        "*: 14.90 EUR, 7-14 days, from 3 items 19.90 EUR",
    ]

    exported = tmp_path / "shipping.csv"
    assert main(["merchant", "shipping", "export", "my-shop", "-o", str(exported)]) == 0
    assert exported.read_text(encoding="utf-8").splitlines() == [
        "countries,price,free_from,min_days,max_days,item_tiers,weight_tiers",
        "AT DE FR,4.90,60.00,3,5,,",
        "*,14.90,,7,14,3:19.90,",
    ]

    assert main(["merchant", "shipping", "remove", "my-shop", "--to", "FR,AT"]) == 0
    out = capsys.readouterr().out
    assert "removed: AT FR" in out and "DE: 4.90 EUR" in out
    assert main(["merchant", "shipping", "remove", "my-shop", "--all"]) == 0
    assert "no shipping rules" in capsys.readouterr().out

    assert main(["merchant", "shipping", "import", "my-shop", str(exported)]) == 0
    assert "AT DE FR: 4.90 EUR" in capsys.readouterr().out


def test_bad_input_exits_2_naming_it_and_a_bad_file_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["merchant", "add", "shop", "--currency", "USD"]) == 0
    add = ["merchant", "shipping", "add", "shop"]
    assert main([*add, "--to", "US", "--price", "5"]) == 0
    capsys.readouterr()
    assert main([*add, "--to", "DE,XY", "--price", "4.90"]) == 2
    assert "'XY' is not an ISO country code" in capsys.readouterr().err
    assert main([*add, "--to", "DE", "--price", "4.90", "--days", "9-2"]) == 2
    assert "'9-2' is not a number of days" in capsys.readouterr().err
    assert main(["merchant", "shipping", "list", "nope"]) == 2

    bad = tmp_path / "bad.csv"
    bad.write_text("countries,price\nDE,4.90\nFR,cheap\n", encoding="utf-8")
    assert main(["merchant", "shipping", "import", "shop", str(bad)]) == 2
    assert "line 3: 'cheap' is not a price in USD" in capsys.readouterr().err
    assert main(["merchant", "shipping", "list", "shop"]) == 0
    assert capsys.readouterr().out.splitlines() == ["US: 5.00 USD"]  # unchanged


def test_weight_tiers_are_set_listed_exported_and_imported_back_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["merchant", "add", "heavy", "--currency", "EUR"]) == 0
    add = ["merchant", "shipping", "add", "heavy"]
    assert main([*add, "--to", "DE,AT", "--tier", "5kg=9.90", "--tier", "2kg=4.90",
                 "--tier", "500g=2.50", "--free-from", "80", "--days", "2-3"]) == 0  # fmt: skip
    assert main([*add, "--to", "US", "--tier", "1.5lb=12"]) == 0
    capsys.readouterr()
    assert main(["merchant", "shipping", "list", "heavy"]) == 0
    listed = [
        "AT DE: up to 500g 2.50 EUR, up to 2kg 4.90 EUR, up to 5kg 9.90 EUR, "
        "free from 80.00 EUR, 2-3 days",
        "US: up to 680g 12.00 EUR",  # 1.5 lb = 680.39 g
    ]
    assert capsys.readouterr().out.splitlines() == listed

    exported = tmp_path / "weights.csv"
    assert main(["merchant", "shipping", "export", "heavy", "-o", str(exported)]) == 0
    assert exported.read_text(encoding="utf-8").splitlines() == [
        "countries,price,free_from,min_days,max_days,item_tiers,weight_tiers",
        "AT DE,,80.00,2,3,,500g:2.50 2kg:4.90 5kg:9.90",
        "US,,,,,,680g:12.00",
    ]
    assert main(["merchant", "shipping", "remove", "heavy", "--all"]) == 0
    assert main(["merchant", "shipping", "import", "heavy", str(exported)]) == 0
    capsys.readouterr()
    assert main(["merchant", "shipping", "list", "heavy"]) == 0
    assert capsys.readouterr().out.splitlines() == listed


def test_weight_tiers_with_a_price_or_item_tiers_or_twice_the_same_weight_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["merchant", "add", "shop", "--currency", "EUR"]) == 0
    add = ["merchant", "shipping", "add", "shop", "--to", "DE"]
    assert main([*add, "--price", "4.90", "--tier", "2kg=5.90"]) == 2
    assert "weight tiers are the zone's whole price list" in capsys.readouterr().err
    assert main([*add, "--items", "3:6.90", "--tier", "2kg=5.90"]) == 2
    assert "weight tiers are the zone's whole price list" in capsys.readouterr().err
    assert main([*add, "--tier", "2kg=5.90", "--tier", "2000g=6.90"]) == 2
    assert "is not a weight tier" in capsys.readouterr().err
    assert main([*add, "--tier", "2st=5.90"]) == 2
    assert "'2st' is not a weight tier" in capsys.readouterr().err
    assert main([*add, "--tier", "0kg=5.90"]) == 2
    assert "'0kg:5.90' is not a weight tier" in capsys.readouterr().err
    assert main([*add]) == 2
    assert "give the delivery price" in capsys.readouterr().err
    assert main(["merchant", "shipping", "list", "shop"]) == 0
    assert "no shipping rules" in capsys.readouterr().out  # nothing was stored


def test_help_loads_no_database_layer() -> None:
    code = (
        "import sys\n"
        "from bot.cli import _parser\n"
        "try:\n"
        "    _parser().parse_args(['merchant', 'shipping', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'sqlalchemy' not in sys.modules, 'sqlalchemy imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert "import" in done.stdout and "export" in done.stdout
