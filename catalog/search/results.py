"""What a search returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Hit:
    """One matching product.

    ``score`` is in (0, 1] and orders hits the same way the ranking does (1 = every query word
    found exactly in a title that holds nothing else); ``matched_terms`` counts query words found,
    ``typos`` the typos it took to find them.
    """

    product_id: int
    score: float
    matched_terms: int
    typos: int
    merchant_id: int = 0
    in_stock: bool = True


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Hits best first; ``suggestion`` is a corrected query ("did you mean") when none matched."""

    hits: list[Hit] = field(default_factory=list)
    suggestion: str | None = None

    def __bool__(self) -> bool:
        return bool(self.hits)

    @property
    def product_ids(self) -> list[int]:
        return [hit.product_id for hit in self.hits]
