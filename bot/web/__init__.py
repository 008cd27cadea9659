"""The bot's web server: Telegram's webhook, payment webhooks, checkout pages and health.

`create_web_app(services, application)` builds the Starlette app; `bot.serve.serve` runs it with
uvicorn beside the PTB Application in webhook mode. Payment events are verified here, then
enter the Application as `PaymentUpdate`s (`handlers.payment_updates`), so they share its
per-chat ordering and error handler with everything the buyer types. What a payment does lives
in `payments/` (the Pay button, checkout links, settlement) and `merchants.payment_providers`
(which provider serves a shop): the routes here only read requests and answer them.
"""
