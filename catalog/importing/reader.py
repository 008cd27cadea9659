"""From uploaded bytes to CSV records with line numbers, refusing what is not a sane CSV file.

Everything here rejects the file as a whole (`ImportRejected`): a file in the wrong encoding or
with a broken quote cannot be half-trusted, because one stray quote silently shifts every cell
after it. The limits are checked before the work they bound: size before decoding, row count
while reading, so a hostile upload costs at most `max_bytes` of memory and is never parsed fully.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, NoReturn

from catalog.importing.problems import ImportProblem, ImportRejected

_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip), legacy .xls
_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True, slots=True)
class Record:
    line: int  # the physical line the record starts on (1 is the header)
    cells: list[str]


def read_bytes(source: bytes | BinaryIO, *, max_bytes: int) -> bytes:
    """The upload's bytes, reading at most one byte past the limit from a stream."""
    data = source if isinstance(source, bytes) else source.read(max_bytes + 1)
    if len(data) > max_bytes:
        size = len(data) if isinstance(source, bytes) else max_bytes + 1
        _reject("file_too_large", None, size=size, limit=max_bytes)
    return data


def decode(data: bytes) -> str:
    """UTF-8 with or without a BOM, and UTF-16 (Excel's "Unicode text"), with a BOM or without.

    Anything else is refused with the line of the first bad byte: guessing a legacy code page
    would turn "Café" into "CafÃ©" in a buyer's chat without anyone noticing.
    """
    if not data.strip():
        _reject("empty_file", None)
    if data.startswith(_WORKBOOK_MAGIC):
        _reject("spreadsheet_not_csv", None)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    elif utf16 := _bomless_utf16(data):
        encoding = utf16
    else:
        if b"\x00" in data:
            _reject("not_csv", data.count(b"\n", 0, data.index(b"\x00")) + 1)
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        _reject("bad_encoding", line, byte=f"0x{data[error.start]:02X}")
    if "\x00" in text:
        _reject("not_csv", None)
    if not text.strip():
        _reject("empty_file", None)  # only a BOM, or UTF-16 whitespace
    return text


def _bomless_utf16(data: bytes) -> str | None:
    """UTF-16 saved without a BOM, told by its header: ASCII column names, so every other byte
    is zero (the high byte: the second in little-endian, the first in big-endian)."""
    sample = data[: min(64, len(data) - len(data) % 2)]
    for newline in (b"\n\x00", b"\x00\n"):  # the header line only: rows may hold any script
        end = sample.find(newline)
        if end > 0 and end % 2 == 0:
            sample = sample[:end]
            break
    if len(sample) < 4:
        return None
    high_second, high_first = sample[1::2], sample[0::2]
    if not high_second.strip(b"\x00") and b"\x00" not in high_first:
        return "utf-16-le"
    if not high_first.strip(b"\x00") and b"\x00" not in high_second:
        return "utf-16-be"
    return None


def sniff_delimiter(text: str) -> str:
    """Comma, or the semicolon/tab a spreadsheet in a decimal-comma locale used instead.

    Decided from the header line alone, where cells hold no commas in prose.
    """
    header = text.split("\n", 1)[0]
    return max(_DELIMITERS, key=lambda delimiter: (header.count(delimiter), delimiter == ","))


def read_records(text: str, *, max_rows: int) -> tuple[list[str], list[Record]]:
    """The header and the non-blank data records; more than `max_rows` records rejects the file."""
    header, records = stream_records(text, max_rows=max_rows)
    return header, list(records())


def stream_records(text: str, *, max_rows: int) -> tuple[list[str], Callable[[], Iterator[Record]]]:
    """The header, and a way to read the data records again from the start, one at a time.

    An import reads the file twice rather than holding every row: once to learn where each
    product ends, then to parse each product as soon as its last row is read (`rows.py`).
    The checks run on every pass (they cost nothing); the first pass is the one that rejects.
    """
    delimiter = sniff_delimiter(text)
    header = next(_records(text, delimiter), None)
    if header is None:
        _reject("empty_file", None)

    def records() -> Iterator[Record]:
        found = 0
        rows = _records(text, delimiter)
        next(rows)  # the header
        for record in rows:
            if found >= max_rows:
                _reject("too_many_rows", record.line, limit=max_rows)
            found += 1
            yield record
        if not found:
            _reject("no_rows", None)

    return header.cells, records


def _records(text: str, delimiter: str) -> Iterator[Record]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            reason = str(error)
            if "unexpected end of data" in reason:
                _reject("unclosed_quote", start)
            if "field larger than field limit" in reason:
                _reject("cell_too_large", start)
            _reject("bad_quoting", reader.line_num)
        if any(cell.strip() for cell in cells):
            yield Record(start, cells)


def _reject(code: str, line: int | None, **params: str | int) -> NoReturn:
    raise ImportRejected(ImportProblem(code, line=line, params=params))
