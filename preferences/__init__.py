"""The buyer's language and display currency: what /language and /currency offer and record.

Telegram's `language_code` gives the first guess (see `handlers.identity`); a buyer's own choice
is stored on the customer and wins from then on.
"""
