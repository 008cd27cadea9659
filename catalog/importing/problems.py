"""What can be wrong with an import, as typed data: a code, its parameters, where it happened.

Domain code never translates. The CLI and the Telegram handlers look a problem up by its
`message_id` (or translate its `default` text) and fill in `params` with `%(name)s`; `message`
is the English sentence. Parameters are plain strings and ints so every language can use them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

MESSAGES: Final[Mapping[str, str]] = {
    # --- the file as a whole: nothing is imported --------------------------------------------
    "file_too_large": "The file is %(size)d bytes; the limit is %(limit)d bytes.",
    "empty_file": "The file is empty.",
    "not_csv": "This is not a CSV text file (it contains binary data).",
    "spreadsheet_not_csv": (
        "This is a spreadsheet workbook, not CSV: save it as “CSV UTF-8” and import that."
    ),
    "bad_encoding": (
        "This line is not UTF-8 text (byte %(byte)s): save the file as “CSV UTF-8”, "
        "not in a legacy encoding such as Windows-1252."
    ),
    "unclosed_quote": "A quote opened on this line is never closed.",
    "bad_quoting": (
        "A quoted cell is broken: after a closing quote the cell must end. "
        'Write a quote inside a quoted cell as two quotes ("").'
    ),
    "cell_too_large": "A cell on this line is too large.",
    "too_many_rows": "The file has more than %(limit)d rows: split it into smaller files.",
    "missing_column": "The required column %(column)s is missing (it may be called %(aliases)s).",
    "duplicate_column": "Two columns mean the same thing: %(first)s and %(second)s.",
    "bad_merchant": (
        "%(value)s is not a merchant id: use lowercase letters, digits, - and _, "
        "at most %(limit)d characters."
    ),
    "unknown_currency": "%(value)s is not a currency code: use ISO 4217 codes such as USD or EUR.",
    "currency_required": (
        "Merchant %(merchant)s is new: say which currency its prices are in"
        " (for example --currency USD)."
    ),
    "currency_mismatch": (
        "Merchant %(merchant)s sells in %(expected)s, but these prices are in %(given)s."
    ),
    "currency_conflict": (
        "Prices of merchant %(merchant)s are given in several currencies: %(currencies)s."
    ),
    # --- one row or product ------------------------------------------------------------------
    "too_many_cells": "This row has %(count)d cells but the header has only %(expected)d.",
    "missing_merchant": "No merchant for this row: fill in the merchant column or choose one.",
    "missing_handle": "The handle (the product's id in the file) is empty.",
    "missing_title": "Product %(handle)s has no title.",
    "missing_price": "The price is empty.",
    "bad_price": "%(value)s is not a price: write digits with a decimal point, like 19.99.",
    "ambiguous_number": (
        "%(value)s is ambiguous (a thousands separator or a decimal comma?): "
        "write it without separators, like 1500 or 1.5."
    ),
    "negative_price": "The price %(value)s is below zero.",
    "price_too_large": "The price %(value)s is too large.",
    "price_precision": "%(value)s has more decimals than %(currency)s allows (%(digits)d).",
    "bad_stock": "%(value)s is not a whole number of items.",
    "stock_too_large": "The stock %(value)s is too large.",
    "negative_stock": (
        "The stock is %(value)s, below zero, but this variant may not be sold out of stock "
        "(inventory policy deny)."
    ),
    "bad_status": "%(value)s is not a status: use active, draft or archived.",
    "bad_policy": "%(value)s is not an inventory policy: use deny or continue.",
    "bad_boolean": "%(value)s is not TRUE or FALSE.",
    "bad_number": "%(value)s is not a whole number.",
    "too_long": "%(column)s is %(length)d characters long; at most %(limit)d are allowed.",
    "too_many_tags": "The product has %(count)d tags; at most %(limit)d are allowed.",
    "formula_cell": (
        "%(column)s starts with %(char)s, which spreadsheets run as a formula. "
        "To keep it as text, start the cell with an apostrophe: '%(char)s..."
    ),
    "bad_image": (
        "%(value)s is not an image address: use an http(s) URL or a relative path "
        "inside the media folder."
    ),
    "option_without_name": "Option %(number)d has the value %(value)s but no name.",
    "missing_option_value": "This variant has no value for option %(name)s.",
    "option_name_mismatch": (
        "Option %(number)d is called %(name)s here, but %(first)s on the product's first row."
    ),
    "duplicate_sku": "SKU %(sku)s is already used on line %(first_line)d.",
    "duplicate_variant": (
        "Product %(handle)s already has a variant with the options %(options)s "
        "(line %(first_line)d)."
    ),
    "sku_taken": "SKU %(sku)s belongs to product %(handle)s, which this file does not update.",
    # --- warnings: imported, but worth a look --------------------------------------------------
    "zero_price": "The price is 0: buyers will get this for free.",
    "damaged_barcode": (
        "The barcode %(value)s was rounded into scientific notation by a spreadsheet and its "
        "digits are lost; it is kept as written. Format the column as text and export again."
    ),
}

WARNINGS: Final[frozenset[str]] = frozenset({"zero_price", "damaged_barcode"})


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One thing wrong (or worth a warning) in an import.

    `line` is the file's physical line where the row starts (1 is the header), or None for the
    file as a whole or an argument such as the currency; `column` is the header as written.
    """

    code: str
    line: int | None = None
    column: str | None = None
    params: Mapping[str, str | int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.code not in MESSAGES:
            raise ValueError(f"unknown import problem code {self.code!r}")

    @property
    def message_id(self) -> str:
        return f"catalog.import.{self.code}"

    @property
    def default(self) -> str:
        """The English text with `%(name)s` placeholders: what translators translate."""
        return MESSAGES[self.code]

    @property
    def message(self) -> str:
        """The English sentence, parameters filled in."""
        return self.default % self.params if self.params else self.default

    @property
    def is_warning(self) -> bool:
        return self.code in WARNINGS

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class ImportRejected(Exception):
    """The file as a whole cannot be read (encoding, quoting, size, header): nothing is imported."""

    def __init__(self, problem: ImportProblem) -> None:
        self.problem = problem
        super().__init__(str(problem))


class CellError(ValueError):
    """A cell that cannot be read; the row parser adds the line and column."""

    def __init__(self, code: str, **params: str | int) -> None:
        self.code = code
        self.params = params
        super().__init__(code)
