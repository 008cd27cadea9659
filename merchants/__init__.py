"""Merchants running their shop: settings (notification chat, language, FX policy, payment
provider), staff, binding a group with /setup, and the order desk (`merchants.desk`).

Knows `catalog` (the merchant row), `money`, `payments` (provider settings), `orders` and
`outbox` (the desk); never `bot/` or `handlers/`.
"""
