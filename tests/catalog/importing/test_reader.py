"""The file as a whole: encodings, quoting, limits and non-CSV input are refused clearly."""

from __future__ import annotations

import codecs
from collections.abc import Callable

import pytest

from catalog.importing.problems import ImportRejected
from catalog.importing.reader import decode, read_bytes, read_records, sniff_delimiter


def _rejected(
    call: Callable[..., object], *args: object, **kwargs: object
) -> tuple[str, int | None]:
    with pytest.raises(ImportRejected) as caught:
        call(*args, **kwargs)
    return caught.value.problem.code, caught.value.problem.line


def test_utf8_with_and_without_bom() -> None:
    assert decode("handle,title\nmug,Café\n".encode()) == "handle,title\nmug,Café\n"
    assert decode(codecs.BOM_UTF8 + "h,t\nm,Café\n".encode()) == "h,t\nm,Café\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_or_without_bom_is_read(encoding: str) -> None:
    assert decode("handle,title\nmug,红色杯子\n".encode(encoding)) == "handle,title\nmug,红色杯子\n"


def test_latin1_is_refused_at_the_line_of_the_first_bad_byte() -> None:
    data = "handle,title\nmug,Mug\ncafe,Café crème\n".encode("latin-1")
    with pytest.raises(ImportRejected) as caught:
        decode(data)
    problem = caught.value.problem
    assert (problem.code, problem.line, problem.params["byte"]) == ("bad_encoding", 3, "0xE9")
    assert "UTF-8" in problem.message


@pytest.mark.parametrize("data", [b"", b"   \n\n", b"\xef\xbb\xbf\n"])
def test_empty_files_are_refused(data: bytes) -> None:
    assert _rejected(decode, data)[0] == "empty_file"


def test_binary_garbage_is_refused() -> None:
    garbage = bytes(range(256)) * 4
    assert _rejected(decode, garbage)[0] in {"not_csv", "bad_encoding"}
    assert _rejected(decode, b"handle,title\n\x00\x01\x02mug")[0] == "not_csv"


@pytest.mark.parametrize("magic", [b"PK\x03\x04rest-of-xlsx", b"\xd0\xcf\x11\xe0rest-of-xls"])
def test_spreadsheet_workbooks_are_refused(magic: bytes) -> None:
    assert _rejected(decode, magic)[0] == "spreadsheet_not_csv"


def test_size_limit_is_checked_before_anything_else() -> None:
    assert read_bytes(b"x" * 10, max_bytes=10) == b"x" * 10
    code, _ = _rejected(read_bytes, b"x" * 11, max_bytes=10)
    assert code == "file_too_large"


def test_row_limit_refuses_the_file_at_the_first_row_too_many() -> None:
    text = "handle,title,price\n" + "".join(f"p{i},P,1\n" for i in range(6))
    header, records = read_records(text, max_rows=6)
    assert header == ["handle", "title", "price"] and len(records) == 6
    assert _rejected(read_records, text, max_rows=5) == ("too_many_rows", 7)


def test_unclosed_quote_is_reported_where_it_opened() -> None:
    text = 'handle,title,price\nmug,"Mug,1\ncup,Cup,2\n'
    assert _rejected(read_records, text, max_rows=10) == ("unclosed_quote", 2)


def test_text_after_a_closing_quote_is_broken_quoting() -> None:
    text = 'handle,title,price\nmug,"Mug" large,1\n'
    assert _rejected(read_records, text, max_rows=10)[0] == "bad_quoting"


def test_records_keep_physical_line_numbers_across_multiline_cells_and_blank_lines() -> None:
    text = 'handle,description\na,"one\ntwo"\n\n,\nb,x\n'
    _, records = read_records(text, max_rows=10)
    assert [(r.line, r.cells[0]) for r in records] == [(2, "a"), (6, "b")]


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("handle,title,price", ","), ("handle;title;price", ";"), ("handle\ttitle\tprice", "\t")],
)
def test_delimiter_is_sniffed_from_the_header(header: str, delimiter: str) -> None:
    assert sniff_delimiter(header + "\nmug;x,y\n") == delimiter


def test_a_header_without_rows_is_refused() -> None:
    assert _rejected(read_records, "handle,title,price\n\n", max_rows=10)[0] == "no_rows"
