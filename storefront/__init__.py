"""Buyer-facing use cases that join the catalog and money: search and browse with prices in the
buyer's currency. Knows catalog and money; nothing of Telegram."""
