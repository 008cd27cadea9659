"""What can be wrong with an import, as typed data: a code, its parameters, where it happened.

Domain code never translates: each message is marked with `N_` for extraction and rendered where
the reader's language is known, by `ImportProblem.render(translator.gettext)`, which translates
the English text first and fills in `params` (`%(name)s`) after. `message` is the English
sentence. Parameters are plain strings and ints so every language can use them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Final

from i18n import N_

MESSAGES: Final[Mapping[str, str]] = {
    # --- the file as a whole: nothing is imported --------------------------------------------
    "file_too_large": N_("The file is %(size)d bytes; the limit is %(limit)d bytes."),
    "empty_file": N_("The file is empty."),
    "no_rows": N_("The file has a header but no products below it."),
    "not_csv": N_("This is not a CSV text file (it contains binary data)."),
    "spreadsheet_not_csv": N_(
        "This is a spreadsheet workbook, not CSV: save it as “CSV UTF-8” and import that."
    ),
    "bad_encoding": N_(
        "This line is not UTF-8 text (byte %(byte)s): save the file as “CSV UTF-8”, "
        "not in a legacy encoding such as Windows-1252."
    ),
    "unclosed_quote": N_("A quote opened on this line is never closed."),
    "bad_quoting": N_(
        "A quoted cell is broken: after a closing quote the cell must end. "
        'Write a quote inside a quoted cell as two quotes ("").'
    ),
    "cell_too_large": N_("A cell on this line is too large."),
    "too_many_rows": N_("The file has more than %(limit)d rows: split it into smaller files."),
    "missing_column": N_(
        "The required column %(column)s is missing (it may be called %(aliases)s)."
    ),
    "not_translation_export": N_(
        "This is not Shopify's translation export: its first line must name the columns "
        "%(columns)s."
    ),
    "duplicate_column": N_("Two columns mean the same thing: %(first)s and %(second)s."),
    "bad_merchant": N_(
        "%(value)s is not a merchant id: use lowercase letters, digits, - and _, "
        "at most %(limit)d characters."
    ),
    "unknown_currency": N_(
        "%(value)s is not a currency code: use ISO 4217 codes such as USD or EUR."
    ),
    "currency_required": N_(
        "Merchant %(merchant)s is new: say which currency its prices are in"
        " (for example --currency USD)."
    ),
    "currency_mismatch": N_(
        "Merchant %(merchant)s sells in %(expected)s, but these prices are in %(given)s."
    ),
    "currency_conflict": N_(
        "Prices of merchant %(merchant)s are given in several currencies: %(currencies)s."
    ),
    "catalog_changed": N_(
        "The catalog kept changing while this file was imported, so nothing was imported: "
        "send it again."
    ),
    # --- one row or product ------------------------------------------------------------------
    "too_many_cells": N_("This row has %(count)d cells but the header has only %(expected)d."),
    "missing_merchant": N_("No merchant for this row: fill in the merchant column or choose one."),
    "missing_handle": N_("The handle (the product's id in the file) is empty."),
    "missing_title": N_("Product %(handle)s has no title."),
    "missing_price": N_("The price is empty."),
    "bad_price": N_("%(value)s is not a price: write it in digits, like 19.99."),
    "ambiguous_number": N_(
        "%(value)s is ambiguous (a thousands separator or a decimal comma?): "
        "write it without separators, like 1500 or 1.5."
    ),
    "negative_price": N_("The price %(value)s is below zero."),
    "price_too_large": N_("The price %(value)s is too large."),
    "price_precision": N_("%(value)s has more decimals than %(currency)s allows (%(digits)d)."),
    "bad_stock": N_("%(value)s is not a whole number of items."),
    "bad_weight": N_("%(value)s is not a weight in grams."),
    "stock_too_large": N_("The stock %(value)s is too large."),
    "bad_status": N_("%(value)s is not a status: use active, draft or archived."),
    "bad_policy": N_("%(value)s is not an inventory policy: use deny or continue."),
    "bad_boolean": N_("%(value)s is not TRUE or FALSE."),
    "bad_number": N_("%(value)s is not a whole number."),
    "too_long": N_("%(column)s is %(length)d characters long; at most %(limit)d are allowed."),
    "too_many_tags": N_("The product has %(count)d tags; at most %(limit)d are allowed."),
    "formula_cell": N_(
        "%(column)s starts with %(char)s, which spreadsheets run as a formula. "
        "To keep it as text, start the cell with an apostrophe: '%(char)s..."
    ),
    "bad_image": N_(
        "%(value)s is not an image address: use an http(s) URL or a relative path "
        "inside the media folder."
    ),
    "option_without_name": N_("Option %(number)d has the value %(value)s but no name."),
    "missing_option_value": N_("This variant has no value for option %(name)s."),
    "option_name_mismatch": N_(
        "Option %(number)d is called %(name)s here, but %(first)s on the product's first row."
    ),
    "duplicate_sku": N_(
        "SKU %(sku)s is already used on line %(first_line)d: this variant is imported without "
        "a SKU."
    ),
    "duplicate_variant": N_(
        "Product %(handle)s already has a variant with the options %(options)s "
        "(line %(first_line)d)."
    ),
    "sku_taken": N_("SKU %(sku)s belongs to product %(handle)s, which this file does not update."),
    # --- warnings: imported, but worth a look --------------------------------------------------
    "zero_price": N_(
        "The price is 0: buyers will not see this variant until it has a price "
        "(/price SKU 19.90, or import it again with a price)."
    ),
    "negative_stock": N_(
        "The stock is %(value)s, below zero (sold beyond the stock): imported as 0 available."
    ),
    "gift_card": N_(
        "Product %(handle)s is a gift card: gift cards are not sold through the bot, so it was "
        "left out."
    ),
    "digital": N_(
        "Product %(handle)s needs no shipping (a digital product, a service or pickup only): "
        "only goods that are shipped are sold through the bot, so it was left out. To sell it, "
        "set Requires shipping to TRUE and import it again."
    ),
    "damaged_barcode": N_(
        "The barcode %(value)s was rounded into scientific notation by a spreadsheet and its "
        "digits are lost; it is kept as written. Format the column as text and export again."
    ),
}

WARNINGS: Final[frozenset[str]] = frozenset(
    {"zero_price", "damaged_barcode", "negative_stock", "gift_card", "digital", "duplicate_sku"}
)
AT_LINE: Final = N_("line %(line)d: %(message)s")
AT_LINE_COLUMN: Final = N_("line %(line)d, %(column)s: %(message)s")


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

    def render(self, gettext: Callable[[str], str] = str, *, located: bool = True) -> str:
        """The sentence in the reader's language (English with the default), with its line."""
        text = gettext(self.default)
        message = text % self.params if self.params else text
        if not located or not self.line:
            return message
        if self.column:
            return gettext(AT_LINE_COLUMN) % {
                "line": self.line,
                "column": self.column,
                "message": message,
            }
        return gettext(AT_LINE) % {"line": self.line, "message": message}

    def __str__(self) -> str:
        return self.render()


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
