"""Per-document columns the ranking and filters read: numpy arrays indexed by internal doc id.

Internal ids are dense and only grow; an upsert appends a new row and kills the old one, so a
reader holding an id never sees another product's data under it. A merge renumbers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal

import numpy as np

from catalog.search.document import SearchDocument
from catalog.search.ranking import prior_of, priors_of


class DocTable:
    """Growable columns plus the product id → internal id map."""

    _COLUMNS = (
        ("product_id", np.int64),
        ("merchant_id", np.int64),
        ("price", np.float64),
        ("currency", np.uint16),
        ("in_stock", np.bool_),
        ("title_units", np.uint8),
        ("prior", np.int64),
        ("alive", np.bool_),
    )

    def __init__(self, capacity: int = 1024) -> None:
        self.size = 0
        self.live = 0
        for name, dtype in self._COLUMNS:
            setattr(self, name, np.zeros(capacity, dtype=dtype))
        self.currencies: list[str] = [""]
        self._currency_ids: dict[str, int] = {"": 0}
        # Product ids of merged docs live in sorted arrays (no Python object per product);
        # ids upserted since live in a dict.
        self._base_pids = np.zeros(0, dtype=np.int64)
        self._base_docs = np.zeros(0, dtype=np.uint32)
        self._recent: dict[int, int] = {}

    product_id: np.ndarray
    merchant_id: np.ndarray
    price: np.ndarray
    currency: np.ndarray
    in_stock: np.ndarray
    title_units: np.ndarray
    prior: np.ndarray
    alive: np.ndarray

    @classmethod
    def bulk(cls, docs: Sequence[SearchDocument], title_units: np.ndarray) -> DocTable:
        """A table of many documents at once, row i for ``docs[i]``, with the same columns and
        capacity :meth:`append` one by one would give (and product ids indexed)."""
        size = len(docs)
        capacity = 1024
        while capacity < size:
            capacity *= 2
        table = cls(capacity)
        table.product_id[:size] = [doc.product_id for doc in docs]
        table.merchant_id[:size] = [doc.merchant_id for doc in docs]
        table.price[:size] = [_price(doc.price) for doc in docs]
        table.currency[:size] = [table.currency_id(doc.currency) for doc in docs]
        table.in_stock[:size] = [doc.in_stock for doc in docs]
        table.title_units[:size] = np.minimum(title_units, 255)
        table.prior[:size] = priors_of(table.in_stock[:size], title_units)
        table.alive[:size] = True
        table.size = table.live = size
        table.index_pids()
        return table

    @property
    def capacity(self) -> int:
        return len(self.alive)

    def currency_id(self, code: str) -> int:
        code = code.upper()
        found = self._currency_ids.get(code)
        if found is None:
            found = self._currency_ids[code] = len(self.currencies)
            self.currencies.append(code)
        return found

    def find_currency(self, code: str) -> int:
        """Id of a known currency code; -1 if no product uses it (without registering it)."""
        return self._currency_ids.get(code.upper(), -1)

    def append(self, doc: SearchDocument, title_units: int, *, track: bool = True) -> int:
        """Add a row for ``doc`` and return its internal id (the caller kills any older row).

        A bulk load passes ``track=False`` and calls :meth:`index_pids` once at the end."""
        if self.size == self.capacity:
            self._grow(max(1024, self.capacity * 2))
        row = self.size
        self.product_id[row] = doc.product_id
        self.merchant_id[row] = doc.merchant_id
        self.price[row] = _price(doc.price)
        self.currency[row] = self.currency_id(doc.currency)
        self.in_stock[row] = doc.in_stock
        self.title_units[row] = min(title_units, 255)
        self.prior[row] = prior_of(doc.in_stock, title_units)
        self.alive[row] = True
        self.size += 1
        self.live += 1
        if track:
            self._recent[doc.product_id] = row
        return row

    def find(self, product_id: int) -> int:
        """Live internal id of a product, or -1."""
        row = self._recent.get(product_id)
        if row is None:
            i = int(np.searchsorted(self._base_pids, product_id))
            if i < len(self._base_pids) and self._base_pids[i] == product_id:
                row = int(self._base_docs[i])
        return row if row is not None and self.alive[row] else -1

    def kill(self, row: int) -> None:
        if self.alive[row]:
            self.alive[row] = False
            self.live -= 1
            self._recent.pop(int(self.product_id[row]), None)

    def compact(self) -> np.ndarray:
        """Drop dead rows; return old id → new id (-1 for dropped) for remapping postings."""
        keep = self.alive[: self.size]
        remap = np.full(self.size, -1, dtype=np.int64)
        remap[keep] = np.arange(int(keep.sum()))
        for name, _dtype in self._COLUMNS:
            column = getattr(self, name)[: self.size][keep]
            setattr(self, name, column.copy())
        self.size = self.live = len(self.alive)
        self.index_pids()
        return remap

    def index_pids(self) -> None:
        """Rebuild the sorted product id map from the columns (after a bulk load or merge)."""
        pids = self.product_id[: self.size]
        order = np.argsort(pids, kind="stable")
        self._base_pids = pids[order]
        self._base_docs = order.astype(np.uint32)
        self._recent = {}

    def _grow(self, capacity: int) -> None:
        for name, dtype in self._COLUMNS:
            column = np.zeros(capacity, dtype=dtype)
            column[: self.size] = getattr(self, name)[: self.size]
            setattr(self, name, column)

    def nbytes(self) -> int:
        columns: int = sum(getattr(self, name).nbytes for name, _ in self._COLUMNS)
        return columns + self._base_pids.nbytes + self._base_docs.nbytes + 100 * len(self._recent)


def _price(price: Decimal | None) -> float:
    """Prices are compared as floats: the conversion is monotonic, so ``<=`` on two prices given
    as Decimals keeps its answer, including at equality."""
    return math.nan if price is None else float(price)
