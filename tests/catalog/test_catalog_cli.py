"""`chatshop catalog import|export` through `bot.cli.main`, on a temporary SQLite database.

(Tests of `bot/catalog_cli.py`; they live here with the catalog's tests, whose folder this work
owns, rather than under tests/bot/.)
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.catalog_cli import ProgressBar
from bot.cli import main
from tests.catalog.importing.helpers import SHOPIFY_LEGACY


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cli.sqlite"
    monkeypatch.setenv("CHATSHOP_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setenv("CHATSHOP_DEFAULT_LANGUAGE", "en")
    return path


def test_import_prints_a_report_and_export_round_trips(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    command = ["catalog", "import", str(SHOPIFY_LEGACY), "--merchant", "acme"]
    assert main([*command, "--currency", "USD"]) == 0
    err = capsys.readouterr().err
    assert "acme: 3 products created, 0 updated, 0 unchanged, 0 skipped (17 rows read)." in err
    assert "Variants: 16 created" in err
    assert "warning: line 2, Variant Barcode: The barcode 3.65275E+11" in err

    exported = tmp_path / "acme.csv"
    assert main(["catalog", "export", "--merchant", "acme", "-o", str(exported)]) == 0
    assert "Exported 3 products of acme" in capsys.readouterr().err
    assert exported.read_text(encoding="utf-8").startswith("handle,title,description,")
    assert not list(tmp_path.glob("*.partial"))

    assert main(["catalog", "import", str(exported), "--merchant", "acme"]) == 0
    assert "0 products created, 0 updated, 3 unchanged" in capsys.readouterr().err

    assert main(["catalog", "export", "--merchant", "acme"]) == 0
    assert capsys.readouterr().out == exported.read_bytes().decode("utf-8")


def test_errors_are_listed_by_line_and_nothing_is_imported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("handle,title,price\nmug,Mug,-1\ncup,Cup,abc\nok,OK,2\n", encoding="utf-8")
    command = ["catalog", "import", str(bad), "--merchant", "shop", "--currency", "EUR"]
    assert main(command) == 1
    err = capsys.readouterr().err
    assert "error: line 2, price: The price -1 is below zero." in err
    assert "error: line 3, price: abc is not a price" in err
    assert "Nothing was imported" in err
    assert main(["catalog", "export", "--merchant", "shop"]) == 1  # not even the merchant
    assert "There is no merchant shop." in capsys.readouterr().err

    assert main([*command, "--skip-bad-rows"]) == 1  # imported, but the file had errors
    err = capsys.readouterr().err
    assert "shop: 1 products created" in err and "2 rows with errors were skipped." in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        ("handle,title,price\nm,Caf\xe9,1\n".encode("latin-1"), "line 2: This line is not UTF-8"),
        (b'handle,title,price\nm,"Mug,1\n', "line 2: A quote opened on this line is never closed."),
        (b"handle,title\nm,Mug\n", "The required column price is missing"),
        (bytes(range(256)), "not a CSV text file"),
    ],
)
def test_unreadable_files_exit_1_with_one_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(content)
    assert main(["catalog", "import", str(path), "--merchant", "m", "--currency", "USD"]) == 1
    assert message in capsys.readouterr().err


def test_a_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["catalog", "import", str(tmp_path / "nope.csv"), "--merchant", "m"]) == 1
    assert "Cannot read" in capsys.readouterr().err


def test_progress_bar_draws_only_for_large_files() -> None:
    stream = io.StringIO()
    bar = ProgressBar(stream, min_total=100, width=10)
    bar(50, 99)
    assert stream.getvalue() == ""
    bar(50, 200)
    bar(200, 200)
    bar.finish()
    assert stream.getvalue() == ("\r[##........]  25%  50/200\r[##########] 100%  200/200\n")


def test_import_translations_reads_shopifys_translation_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    products = tmp_path / "products.csv"
    products.write_text(
        "Handle,Title,Option1 Name,Option1 Value,Variant SKU,Variant Price\n"
        "mug,Mug,Colour,Black,M-B,9\n",
        encoding="utf-8",
    )
    assert (
        main(["catalog", "import", str(products), "--merchant", "acme", "--currency", "EUR"]) == 0
    )
    translations = tmp_path / "translations.csv"
    translations.write_text(
        "Type,Identification,Field,Locale,Market,Status,Default content,Translated content\n"
        "PRODUCT,'1,handle,de,,,mug,tasse\n"
        "PRODUCT,'1,title,de,,,Mug,Tasse\n"
        "PRODUCT,'2,title,de,,,Teapot,Teekanne\n"
        "PRODUCT_OPTION,'3,name,de,,,Colour,Farbe\n"
        "PRODUCT_OPTION_VALUE,'4,name,de,,,Black,Schwarz\n"
        "PRODUCT_OPTION_VALUE,'4,name,de,'77,,Black,Tiefschwarz\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    command = ["catalog", "import-translations", str(translations)]
    assert main([*command, "--merchant", "acme"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "acme, translations into de: 1 products changed, 1 titles and descriptions, "
        "1 option names, 1 option values.",
        "1 rows for one market only were left out.",
        "Not found in the shop, left out: Teapot.",
    ]
    assert main([*command, "--merchant", "nobody"]) == 1
    assert "There is no merchant nobody." in capsys.readouterr().err
    assert main(["catalog", "import-translations", str(products), "--merchant", "acme"]) == 1
    assert "error: This is not Shopify's translation export" in capsys.readouterr().err
