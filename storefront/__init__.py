"""Buyer-facing use cases that join the catalog, money and orders: search and browse with prices
in the buyer's currency, the product card, the cart as the storefront shows it.

Plain Python, nothing of Telegram: each function takes a session (the caller's transaction) and
returns a plain result a view turns into a reply. Modules, one purpose each: `documents` (ORM
rows → search documents), `search_index` (this worker's live index), `pricing` (the buyer's
prices and budget per merchant), `offers` (products as priced list entries), `memory` (what a
button needs to remember, in the database), `search`, `categories`, `product_card`, `cart`.
"""
