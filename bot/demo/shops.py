"""The two demo shops and where their bundled files live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

DEMO_DIR: Final = Path(__file__).resolve().parent
PRODUCTS_FILE: Final = DEMO_DIR / "products.toml"
CATALOG_DIR: Final = DEMO_DIR / "catalog"
PHOTOS_DIR: Final = DEMO_DIR / "photos"

# Every shipped language, as product translations are keyed (bare codes: `pt`, not `pt_BR`).
LANGUAGES: Final = ("en", "zh", "es", "ru", "de", "fr", "pt", "ar")


@dataclass(frozen=True, slots=True)
class DemoShop:
    slug: str
    name: str
    currency: str
    language: str  # the language of its products' main title; the other seven are translations
    price_key: str  # which price of products.toml it sells at ("usd" / "cny")
    handle_prefix: str
    # (country or "*", flat rate, free from this subtotal, fewest days, most days), in the
    # shop's minor units
    shipping: tuple[tuple[str, int, int | None, int, int], ...] = ()

    @property
    def csv_path(self) -> Path:
        return CATALOG_DIR / f"{self.slug}.csv"


SHOPS: Final = (
    DemoShop(
        "demo-us",
        "Northwind Goods",
        "USD",
        "en",
        "usd",
        "us",
        shipping=(("US", 499, 3500, 3, 5), ("*", 1499, 15000, 7, 14)),
    ),
    DemoShop(
        "demo-cn",
        "Lotus Bazaar",
        "CNY",
        "zh",
        "cny",
        "cn",
        shipping=(("CN", 0, None, 2, 4), ("*", 9900, 99900, 10, 20)),
    ),
)


def photo_path(image: str, *, media_dir: Path = PHOTOS_DIR) -> Path | None:
    """The file a product image's relative name points to, or None for a URL, a name that climbs
    out of `media_dir`, or a missing file."""
    if not image or "://" in image:
        return None
    root = media_dir.resolve()
    path = (root / image).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path
