"""A synthetic Shopify product export of any size, for `benchmarks.imports`.

The legacy export header real stores produce (as in /work/shared/data/shopify), one row per
variant, two or three variants per product (Size, sometimes Colour), an HTML description, tags,
a photo per product and an image-only row now and then. Seeded, so every run imports the same
file.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any, Final

HEADER: Final = [
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option2 Name", "Option2 Value", "Variant SKU",
    "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Qty",
    "Variant Inventory Policy", "Variant Fulfillment Service", "Variant Price",
    "Variant Compare At Price", "Variant Requires Shipping", "Variant Taxable", "Variant Barcode",
    "Image Src", "Image Position", "Image Alt Text", "Gift Card", "Status",
]  # fmt: skip
_ADJECTIVES: Final = [
    "cosy",
    "merino",
    "organic",
    "classic",
    "linen",
    "vintage",
    "waterproof",
    "slim",
    "bamboo",
    "recycled",
    "woollen",
    "lightweight",
    "padded",
    "ceramic",
    "brass",
    "walnut",
    "stoneware",
    "hand-dyed",
]
_NOUNS: Final = [
    "jumper",
    "scarf",
    "beanie",
    "mug",
    "teapot",
    "lamp",
    "backpack",
    "wallet",
    "belt",
    "sneaker",
    "sandal",
    "kettle",
    "cushion",
    "blanket",
    "notebook",
    "candle",
    "vase",
    "apron",
]
_COLOURS: Final = ["black", "white", "navy", "olive", "rust", "sand", "grey", "teal"]
_SIZES: Final = ("S", "M", "L", "XL")
_VENDORS: Final = ("Northwind", "Fjord & Co", "Atelier Lumen", "Kestrel", "Maple Row")


def write_export(path: Path, rows: int, *, seed: int = 15) -> int:
    """Writes about `rows` data rows to `path`; returns the number of products."""
    rng = random.Random(seed)
    written = products = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        while written < rows:
            products += 1
            written += _product(out, rng, products, min(rows - written, rng.choice((2, 3, 3, 4))))
    return products


def _product(out: Any, rng: random.Random, number: int, variants: int) -> int:
    adjective, noun, colour = rng.choice(_ADJECTIVES), rng.choice(_NOUNS), rng.choice(_COLOURS)
    handle = f"{adjective}-{noun}-{number}"
    title = f"{adjective.capitalize()} {noun} {number}"
    body = (
        f"<p>A {adjective} {noun} in {colour}, made to last.</p>"
        f"<ul><li>Care: {rng.choice(('hand wash', 'machine wash 30°', 'wipe clean'))}</li>"
        f"<li>Made in {rng.choice(('Portugal', 'Estonia', 'Japan', 'Peru'))}</li></ul>"
    )
    image_only = variants > 2 and number % 5 == 0
    sizes = _SIZES[: variants - 1 if image_only else variants]
    for index, size in enumerate(sizes):
        price = rng.randrange(500, 20000) / 100
        row = {
            "Handle": handle,
            "Variant SKU": f"SKU-{number}-{size}",
            "Option1 Value": size,
            "Option2 Value": colour,
            "Variant Grams": "250",
            "Variant Inventory Tracker": "shopify",
            "Variant Inventory Qty": str(rng.randrange(0, 40)),
            "Variant Inventory Policy": rng.choice(("deny", "deny", "continue")),
            "Variant Fulfillment Service": "manual",
            "Variant Price": f"{price:.2f}",
            "Variant Compare At Price": f"{price * 1.2:.2f}" if number % 4 == 0 else "",
            "Variant Requires Shipping": "true",
            "Variant Taxable": "true",
            "Variant Barcode": str(4000000000000 + number * 10 + index),
        }
        if index == 0:
            row |= {
                "Title": title,
                "Body (HTML)": body,
                "Vendor": rng.choice(_VENDORS),
                "Product Category": "Apparel & Accessories",
                "Type": noun.capitalize(),
                "Tags": f"{adjective}, {noun}, {colour}",
                "Published": "true",
                "Option1 Name": "Size",
                "Option2 Name": "Colour",
                "Image Src": f"https://cdn.example.com/files/{handle}.jpg",
                "Image Position": "1",
                "Image Alt Text": title,
                "Gift Card": "false",
                "Status": "active",
            }
        out.writerow([row.get(column, "") for column in HEADER])
    if image_only:
        out.writerow(
            [
                {"Handle": handle, "Image Src": f"https://cdn.example.com/files/{handle}-2.jpg",
                 "Image Position": "2"}.get(column, "")
                for column in HEADER
            ]
        )  # fmt: skip
    return len(sizes) + image_only
