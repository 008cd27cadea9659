"""Rewrites the bundled demo catalog from products.toml: `python -m bot.demo.make_catalog`.

Writes `catalog/demo-us.csv`, `catalog/demo-cn.csv` and one `photos/<key>.png` per product type
(shared by both shops), and deletes photos of product types that no longer exist. The output is
deterministic, so re-running it on an unchanged products.toml leaves git with nothing to commit.
Needs Pillow (for the photos); the bot itself does not.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.demo.listings import header, photo_name, shop_rows
from bot.demo.photos import render_photo
from bot.demo.shops import CATALOG_DIR, PHOTOS_DIR, PRODUCTS_FILE, SHOPS, DemoShop
from bot.demo.vocabulary import Category, load_vocabulary


def render_csv(shop: DemoShop, categories: Sequence[Category]) -> bytes:
    """The shop's CSV file: UTF-8 without a BOM, `\\n` line ends, quoted only where needed."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header(shop), lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(shop_rows(shop, categories))
    return text.getvalue().encode("utf-8")


def write_catalog(
    categories: Sequence[Category],
    *,
    catalog_dir: Path = CATALOG_DIR,
    photos_dir: Path = PHOTOS_DIR,
) -> tuple[int, int]:
    """Writes every file; returns (files written or changed, photos deleted)."""
    catalog_dir.mkdir(parents=True, exist_ok=True)
    photos_dir.mkdir(parents=True, exist_ok=True)
    changed = 0
    for shop in SHOPS:
        changed += _write_if_changed(catalog_dir / shop.csv_path.name, render_csv(shop, categories))
    wanted: set[str] = set()
    for category in categories:
        for product in category.products:
            name = photo_name(product)
            wanted.add(name)
            photo = render_photo(
                title=product.texts["en"][0],
                category=category.name,
                shape=category.shape,
                colour=product.photo_colour,
            )
            changed += _write_if_changed(photos_dir / name, photo)
    stale = [path for path in photos_dir.glob("*.png") if path.name not in wanted]
    for path in stale:
        path.unlink()
    return changed, len(stale)


def _write_if_changed(path: Path, data: bytes) -> int:
    if path.exists() and path.read_bytes() == data:
        return 0
    path.write_bytes(data)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    categories = load_vocabulary(PRODUCTS_FILE)
    changed, deleted = write_catalog(categories)
    products = sum(
        shop.price_key in product.prices
        for shop in SHOPS
        for category in categories
        for product in category.products
    )
    print(
        f"{products} products in {len(categories)} categories for {len(SHOPS)} shops; "
        f"{changed} files written, {deleted} old photos deleted."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
