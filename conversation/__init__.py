"""Channel-neutral conversation: the replies the shop gives, as plain data.

Handlers for a channel (Telegram today) turn a `Reply` into that channel's calls, so a web chat
or WhatsApp adapter is one more renderer, not a rewrite.
"""
