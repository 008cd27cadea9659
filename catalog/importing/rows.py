"""From CSV records to product drafts: grouping, forward-filling, variants, images, problems.

The rules (see catalog/CSV_FORMAT.md): rows sharing a handle (and merchant) are one product,
wherever they are in the file; product-level fields come from the product's first row; a later
row with no variant field filled in only adds an image (Shopify's image-only rows); Shopify's
single `Title: Default Title` option means "no options". Every problem is recorded at its line
and the product it belongs to is left without a draft, so a bad row never half-imports its
product.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Final
from urllib.parse import urlsplit

from catalog.importing.cells import (
    clean_line,
    clean_text,
    formula_start,
    looks_like_damaged_number,
    parse_bool,
    parse_decimal,
    parse_int,
    parse_policy,
    parse_status,
    unescape,
)
from catalog.importing.columns import OPTION_FIELDS, ColumnMap, Field, SourceFormat
from catalog.importing.drafts import ImageDraft, ProductDraft, TranslationDraft, VariantDraft
from catalog.importing.html_text import html_to_text
from catalog.importing.problems import CellError, ImportProblem
from catalog.importing.reader import Record
from catalog.merchants import is_valid_slug
from catalog.models import (
    ALT_MAX,
    BARCODE_MAX,
    HANDLE_MAX,
    LABEL_MAX,
    SKU_MAX,
    SLUG_MAX,
    TAG_MAX,
    TITLE_MAX,
    URL_MAX,
    InventoryPolicy,
    ProductStatus,
)
from money import UnknownCurrency, normalise_code

MAX_PRICE: Final = Decimal(10) ** 12  # far above any shop's price, far below BIGINT overflow
MAX_STOCK: Final = 2**31 - 1  # the column is a 32-bit integer
MAX_TAGS: Final = 250
MAX_GRAMS: Final = 10_000_000  # 10 tonnes per unit: anything above is a typo
DESCRIPTION_MAX: Final = 60_000
DEFAULT_TITLE: Final = ("title", "default title")  # Shopify's option of a single-variant product
_VARIANT_FIELDS: Final = (
    Field.PRICE,
    Field.SKU,
    Field.STOCK,
    Field.COMPARE_AT_PRICE,
    Field.BARCODE,
    *(value for _, value in OPTION_FIELDS),
)
_SPACE: Final = re.compile(r"\s")
_RELATIVE_PATH: Final = re.compile(r"[\w][\w .-]*(?:/[\w][\w .-]*)*")


@dataclass(slots=True)
class ParsedProduct:
    """One product's rows as read: its draft if they were all good, and what was wrong."""

    merchant: str
    handle: str
    line: int
    row_count: int
    draft: ProductDraft | None = None
    problems: list[ImportProblem] = field(default_factory=list)
    left_out: bool = False  # not for sale through the bot (a gift card, a digital product)

    @property
    def errors(self) -> list[ImportProblem]:
        return [problem for problem in self.problems if not problem.is_warning]

    @property
    def ok(self) -> bool:
        return self.draft is not None and not self.errors

    def fail(self, problem: ImportProblem) -> None:
        self.problems.append(problem)


def parse_products(
    columns: ColumnMap, records: Sequence[Record], *, merchant: str | None
) -> tuple[list[ParsedProduct], int]:
    """The file's products in order of first appearance, and how many rows were filtered out.

    `merchant` is the default for rows without a merchant cell; with a `merchant` column in the
    file it is also a filter: rows for any other merchant are left out (not errors).
    """
    parsed = parse_stream(columns, lambda: iter(records), merchant=merchant)
    return parsed.products, parsed.filtered


@dataclass(slots=True)
class ParsedFile:
    products: list[ParsedProduct]  # in order of first appearance
    filtered: int  # rows left out because they name another merchant
    rows: int  # data rows read


def parse_stream(
    columns: ColumnMap, records: Callable[[], Iterator[Record]], *, merchant: str | None
) -> ParsedFile:
    """`parse_products` over records read twice instead of held: the first pass finds each
    product's last row, the second parses a product as soon as that row is read and forgets its
    rows. A file whose products' rows are together (every export) holds one product's rows."""
    last_row: dict[tuple[str, str], int] = {}
    rows = 0
    for number, record in enumerate(records()):
        rows += 1
        key = _key(columns, record, merchant)
        if isinstance(key, tuple):
            last_row[key] = number
    products: list[ParsedProduct] = []
    open_rows: dict[tuple[str, str], list[Record]] = {}
    filtered = 0
    width = len(columns.headers)
    for number, record in enumerate(records()):
        key = _key(columns, record, merchant)
        if key is None:
            filtered += 1
        elif isinstance(key, ParsedProduct):
            products.append(key)
        else:
            cells = record.cells[:width] + [""] * (width - len(record.cells))
            open_rows.setdefault(key, []).append(Record(record.line, cells))
            if last_row[key] == number:
                products.append(_ProductParser(columns, *key, open_rows.pop(key)).parse())
    return ParsedFile(sorted(products, key=lambda product: product.line), filtered, rows)


def _key(
    columns: ColumnMap, record: Record, merchant: str | None
) -> tuple[str, str] | ParsedProduct | None:
    """The (merchant, handle) a row belongs to; a failure for a row that belongs to no product;
    None for a row of another merchant (left out)."""
    width = len(columns.headers)
    if len(record.cells) > width and any(cell.strip() for cell in record.cells[width:]):
        return _loose(record, "too_many_cells", count=len(record.cells), expected=width)
    cells = record.cells
    own = clean_line(_cell(columns, cells, Field.MERCHANT)).casefold()
    if own and merchant and own != merchant:
        return None
    slug = own or merchant
    if not slug:
        return _loose(record, "missing_merchant")
    if not is_valid_slug(slug):
        return _loose(record, "bad_merchant", value=slug, limit=SLUG_MAX)
    handle = unescape(clean_line(_cell(columns, cells, Field.HANDLE)))
    if not handle:
        handle = _slugify(unescape(clean_line(_cell(columns, cells, Field.TITLE))))
    if not handle:
        return _loose(record, "missing_handle")
    return slug, handle


def _cell(columns: ColumnMap, cells: Sequence[str], field: Field) -> str:
    """A cell of a row that may be short (a spreadsheet drops trailing empty cells)."""
    position = columns.index.get(field)
    return cells[position] if position is not None and position < len(cells) else ""


def _loose(record: Record, code: str, **params: str | int) -> ParsedProduct:
    problem = ImportProblem(code, line=record.line, params=params)
    return ParsedProduct("", "", record.line, 1, problems=[problem])


def _slugify(title: str) -> str:
    """A handle for a row that gives only a title (Shopify allows that for new products)."""
    return re.sub(r"\W+", "-", title.casefold()).strip("-_")[:HANDLE_MAX]


class _ProductParser:
    """Reads the rows of one product; each helper records its own problems and carries on, so
    one pass reports everything wrong with the product."""

    def __init__(
        self, columns: ColumnMap, merchant: str, handle: str, rows: Sequence[Record]
    ) -> None:
        self.columns = columns
        self.rows = rows
        self.result = ParsedProduct(merchant, handle, rows[0].line, len(rows))

    # --- the product --------------------------------------------------------------------------
    def parse(self) -> ParsedProduct:
        first = self.rows[0]
        handle = self.result.handle
        if clean_line(self.columns.get(first.cells, Field.HANDLE)):
            self._text(first, Field.HANDLE, HANDLE_MAX)  # the checks; grouping read the value
        title = self._text(first, Field.TITLE, TITLE_MAX)
        if not title and not clean_line(self.columns.get(first.cells, Field.TITLE)):
            self._flag(first, Field.TITLE, "missing_title", handle=handle)  # (else: reported)
        category = self._text(first, Field.CATEGORY, LABEL_MAX)
        product_type = self._text(first, Field.PRODUCT_TYPE, LABEL_MAX)
        tags = self._tags(first)
        if product_type and not category:
            category = product_type
        elif product_type and product_type.casefold() not in {tag.casefold() for tag in tags}:
            tags = (*tags, product_type)  # Shopify's Type is a good search word: keep it as a tag
        option_names = self._option_names()
        variant_rows = [first, *(row for row in self.rows[1:] if not self._image_only(row))]
        variants = [self._variant(row, option_names) for row in variant_rows]
        if _is_default_title(option_names, variants):
            option_names = ()
            variants = [replace(variant, option_values=()) for variant in variants]
        draft = ProductDraft(
            merchant=self.result.merchant,
            handle=handle,
            title=title,
            variants=tuple(variants),
            description=self._description(first),
            brand=self._text(first, Field.BRAND, LABEL_MAX),
            category=category,
            tags=tags,
            status=self._status(first),
            option_names=option_names,
            images=self._images(),
            translations=self._translations(first, variant_rows, option_names),
            currency=self._currency(first),
            line=first.line,
            row_count=len(self.rows),
        )
        if reason := self._not_goods(variant_rows):
            # Not sold here, so nothing else about it matters: the reason is all the report says.
            self.result.problems.clear()
            code = "gift_card" if reason is Field.GIFT_CARD else "digital"
            self._flag(first, reason, code, handle=handle)
            self.result.left_out = True
        elif not self.result.errors:
            self.result.draft = draft
        return self.result

    def _not_goods(self, variant_rows: Sequence[Record]) -> Field | None:
        """Why Shopify says this is not goods to ship: a gift card, or no variant needs shipping
        (a digital product or a service); None for goods. Unreadable cells count as goods."""
        if self._yes(self.rows[0], Field.GIFT_CARD):
            return Field.GIFT_CARD
        if self.columns.has(Field.REQUIRES_SHIPPING) and all(
            self._yes(row, Field.REQUIRES_SHIPPING) is False for row in variant_rows
        ):
            return Field.REQUIRES_SHIPPING
        return None

    def _yes(self, row: Record, field: Field) -> bool | None:
        cell = clean_line(self.columns.get(row.cells, field))
        try:
            return parse_bool(cell) if cell else None
        except CellError:
            return None

    def _description(self, row: Record) -> str:
        if self.columns.source is not SourceFormat.SHOPIFY:
            return self._text(row, Field.DESCRIPTION, DESCRIPTION_MAX, multiline=True)
        # Shopify: HTML. The formula check is on the cell as a spreadsheet sees it; the text
        # inside (`<p>-20% off</p>` → "-20% off") is safe here and escaped again on export.
        html = self._text(row, Field.DESCRIPTION, 4 * DESCRIPTION_MAX, multiline=True)
        return self._check_length(row, Field.DESCRIPTION, html_to_text(html), DESCRIPTION_MAX)

    def _tags(self, row: Record) -> tuple[str, ...]:
        cell = self._text(row, Field.TAGS, TAG_MAX * MAX_TAGS)
        separator = r"[,;]" if self.columns.source is SourceFormat.SHOPIFY else ";"
        tags: dict[str, str] = {}
        for tag in map(clean_line, re.split(separator, cell)):
            if len(tag) > TAG_MAX:
                self._flag(row, Field.TAGS, "too_long", length=len(tag), limit=TAG_MAX)
            elif tag:
                tags.setdefault(tag.casefold(), tag)
        if len(tags) > MAX_TAGS:
            self._flag(row, Field.TAGS, "too_many_tags", count=len(tags), limit=MAX_TAGS)
        return tuple(tags.values())

    def _status(self, row: Record) -> ProductStatus:
        status = clean_line(self.columns.get(row.cells, Field.STATUS))
        published = clean_line(self.columns.get(row.cells, Field.PUBLISHED))
        try:
            if status:
                return parse_status(status)
            if published:
                return ProductStatus.ACTIVE if parse_bool(published) else ProductStatus.DRAFT
        except CellError as error:
            field = Field.STATUS if status else Field.PUBLISHED
            self._flag(row, field, error.code, **error.params)
        return ProductStatus.ACTIVE

    def _currency(self, row: Record) -> str | None:
        code = clean_line(self.columns.get(row.cells, Field.CURRENCY))
        if not code:
            return None
        try:
            return normalise_code(code)
        except UnknownCurrency:
            self._flag(row, Field.CURRENCY, "unknown_currency", value=code)
            return None

    def _translations(
        self, row: Record, variant_rows: Sequence[Record], option_names: tuple[str, ...]
    ) -> tuple[TranslationDraft, ...]:
        """Title and description from the first row; option names from the first row too, and
        each option value's translation from the rows of the variants that have it."""
        translations = []
        for language in self.columns.translated_languages:
            title_at, description_at = self.columns.translations.get(language, (None, None))
            title = self._text_at(row, title_at, TITLE_MAX)
            description = self._text_at(row, description_at, DESCRIPTION_MAX, multiline=True)
            places = self.columns.option_translations.get(language, {})
            names = tuple(
                self._text_at(row, places.get(f"name{number}"), LABEL_MAX)
                for number in range(1, len(option_names) + 1)
            )
            values: dict[tuple[int, str], str] = {}
            for variant_row in variant_rows:
                for number, (_, value_field) in enumerate(OPTION_FIELDS[: len(option_names)], 1):
                    value = self._text(variant_row, value_field, LABEL_MAX)
                    said = self._text_at(variant_row, places.get(f"value{number}"), LABEL_MAX)
                    if value and said:
                        values.setdefault((number, value), said)
            if not any(names):
                names = ()
            if title or description or names or values:
                translations.append(
                    TranslationDraft(
                        language, title, description, names,
                        tuple(sorted((n, v, s) for (n, v), s in values.items())),
                    )
                )  # fmt: skip
        return tuple(translations)

    # --- options and variants -------------------------------------------------------------------
    def _option_names(self) -> tuple[str, ...]:
        first = self.rows[0]
        names = [self._text(first, name, LABEL_MAX) for name, _ in OPTION_FIELDS]
        while names and not names[-1]:
            names.pop()
        return tuple(names)

    def _image_only(self, row: Record) -> bool:
        return not any(self.columns.get(row.cells, field).strip() for field in _VARIANT_FIELDS)

    def _variant(self, row: Record, option_names: tuple[str, ...]) -> VariantDraft:
        policy = self._policy(row)
        stock = self._int(row, Field.STOCK, "bad_stock")
        if abs(stock) > MAX_STOCK:
            self._flag(row, Field.STOCK, "bad_stock", value=str(stock))
        elif stock < 0 and policy is InventoryPolicy.DENY:  # oversold: none left to sell
            self._flag(row, Field.STOCK, "negative_stock", value=str(stock))
            stock = 0
        barcode = self._text(row, Field.BARCODE, BARCODE_MAX)
        if looks_like_damaged_number(barcode):
            self._flag(row, Field.BARCODE, "damaged_barcode", value=barcode)
        return VariantDraft(
            price=self._price(row, Field.PRICE, required=True) or Decimal(0),
            sku=self._text(row, Field.SKU, SKU_MAX) or None,
            option_values=self._option_values(row, option_names),
            compare_at_price=self._price(row, Field.COMPARE_AT_PRICE, required=False) or None,
            stock=stock,
            inventory_policy=policy,
            barcode=barcode or None,
            grams=self._grams(row),
            line=row.line,
        )

    def _option_values(self, row: Record, names: tuple[str, ...]) -> tuple[str, ...]:
        values = []
        for number, (name_field, value_field) in enumerate(OPTION_FIELDS, start=1):
            value = self._text(row, value_field, LABEL_MAX)
            name = names[number - 1] if number <= len(names) else ""
            own_name = self._text(row, name_field, LABEL_MAX) if row is not self.rows[0] else ""
            if own_name and own_name != name:
                self._flag(
                    row, name_field, "option_name_mismatch",
                    number=number, name=own_name, first=name or "-",
                )  # fmt: skip
            if value and not name:
                self._flag(row, value_field, "option_without_name", number=number, value=value)
            elif name and not value:
                self._flag(row, value_field, "missing_option_value", name=name)
            if name:
                values.append(value)
        return tuple(values)

    def _policy(self, row: Record) -> InventoryPolicy:
        """Shopify leaves `Inventory tracker` empty for untracked stock, which never sells out."""
        cell = clean_line(self.columns.get(row.cells, Field.INVENTORY_POLICY))
        untracked = self.columns.has(Field.INVENTORY_TRACKER) and not clean_line(
            self.columns.get(row.cells, Field.INVENTORY_TRACKER)
        )
        if untracked:
            return InventoryPolicy.CONTINUE
        try:
            return parse_policy(cell) if cell else InventoryPolicy.DENY
        except CellError as error:
            self._flag(row, Field.INVENTORY_POLICY, error.code, **error.params)
            return InventoryPolicy.DENY

    def _price(self, row: Record, field: Field, *, required: bool) -> Decimal | None:
        cell = clean_line(self.columns.get(row.cells, field))
        if not cell:
            if required:
                self._flag(row, field, "missing_price")
            return None
        try:
            price = parse_decimal(cell)
        except CellError as error:
            self._flag(row, field, error.code, **error.params)
            return None
        if price < 0:
            self._flag(row, field, "negative_price", value=cell)
        elif price >= MAX_PRICE:
            self._flag(row, field, "price_too_large", value=cell)
        elif price == 0 and required:
            self._flag(row, field, "zero_price")
        return price

    def _grams(self, row: Record) -> int | None:
        """Shopify writes grams as `200` or `453.592`: rounded to whole grams; empty is None."""
        cell = clean_line(self.columns.get(row.cells, Field.GRAMS))
        if not cell:
            return None
        try:
            grams = parse_decimal(cell)
        except CellError:
            grams = Decimal(-1)
        if not 0 <= grams <= MAX_GRAMS:
            self._flag(row, Field.GRAMS, "bad_weight", value=cell)
            return None
        return int(grams.to_integral_value(ROUND_HALF_UP))

    def _int(self, row: Record, field: Field, code: str) -> int:
        cell = clean_line(self.columns.get(row.cells, field))
        try:
            return parse_int(cell, code=code) if cell else 0
        except CellError as error:
            self._flag(row, field, error.code, **error.params)
            return 0

    # --- images ---------------------------------------------------------------------------------
    def _images(self) -> tuple[ImageDraft, ...]:
        """Product images in `Image Position` order (else file order), then variant images."""
        found: list[tuple[int, int, ImageDraft]] = []
        variant_images: list[ImageDraft] = []
        for order, row in enumerate(self.rows):
            if url := self._url(row, Field.IMAGE):
                position = self._int(row, Field.IMAGE_POSITION, "bad_number") or order + 1
                alt = self._text(row, Field.IMAGE_ALT, ALT_MAX)
                found.append((position, order, ImageDraft(url, alt)))
            if url := self._url(row, Field.VARIANT_IMAGE):
                variant_images.append(ImageDraft(url))
        images: dict[str, ImageDraft] = {}
        for image in [image for *_, image in sorted(found, key=lambda f: f[:2])] + variant_images:
            images.setdefault(image.url, image)
        return tuple(images.values())

    def _url(self, row: Record, field: Field) -> str:
        url = self._text(row, field, URL_MAX)
        if url and not _is_image_address(url):
            self._flag(row, field, "bad_image", value=url)
            return ""
        return url

    # --- cells ----------------------------------------------------------------------------------
    def _text(self, row: Record, field: Field, limit: int, *, multiline: bool = False) -> str:
        return self._text_at(row, self.columns.index.get(field), limit, multiline=multiline)

    def _text_at(
        self, row: Record, position: int | None, limit: int, *, multiline: bool = False
    ) -> str:
        """A text cell, cleaned; refused if a spreadsheet would run it as a formula."""
        if position is None:
            return ""
        header = self.columns.headers[position]
        raw = row.cells[position]
        value = clean_text(raw) if multiline else clean_line(raw)
        if char := formula_start(value):
            self._problem(row, header, "formula_cell", column=header, char=char)
            return ""
        value = unescape(value)
        if len(value) > limit:
            self._problem(row, header, "too_long", column=header, length=len(value), limit=limit)
            return ""
        return value

    def _check_length(self, row: Record, field: Field, value: str, limit: int) -> str:
        if len(value) <= limit:
            return value
        header = self.columns.header(field)
        self._problem(row, header, "too_long", column=header, length=len(value), limit=limit)
        return ""

    def _flag(self, row: Record, field: Field, code: str, /, **params: str | int) -> None:
        """Records an error or a warning (the code decides which) against a field's column."""
        self._problem(row, self.columns.header(field), code, **params)

    def _problem(self, row: Record, column: str, code: str, /, **params: str | int) -> None:
        # positional-only: messages have a `column` parameter of their own (formula_cell, ...)
        self.result.fail(ImportProblem(code, line=row.line, column=column, params=params))


def _is_default_title(names: tuple[str, ...], variants: list[VariantDraft]) -> bool:
    return (
        len(names) == 1
        and names[0].casefold() == DEFAULT_TITLE[0]
        and all(
            not variant.option_values or variant.option_values[0].casefold() == DEFAULT_TITLE[1]
            for variant in variants
        )
    )


def _is_image_address(url: str) -> bool:
    """An http(s) URL, or a relative path that cannot climb out of the media folder."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https"):
        return bool(parts.netloc) and _SPACE.search(url) is None
    return _RELATIVE_PATH.fullmatch(url) is not None and ".." not in url.split("/")
