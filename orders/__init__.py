"""Customers, carts, checkout and orders. Knows catalog and money, nothing of Telegram."""
