"""The bundled demo catalog: two shops, their products in eight languages, a photo for each.

`products.toml` is the source. `python -m bot.demo.make_catalog` turns it into `catalog/<shop>.csv`
(the importer's plain CSV format, one file per shop) and `photos/<product key>.png`; `seed.py`
creates the two shops in a database and imports their files through the catalog importer.

A product row names its photo by a file name relative to `PHOTOS_DIR`, the demo's media folder;
`photo_path` turns that name back into a file the bot can send. Nothing here runs at import time.
"""

from bot.demo.shops import CATALOG_DIR, LANGUAGES, PHOTOS_DIR, SHOPS, DemoShop, photo_path

__all__ = ["CATALOG_DIR", "LANGUAGES", "PHOTOS_DIR", "SHOPS", "DemoShop", "photo_path"]
