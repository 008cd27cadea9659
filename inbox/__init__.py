"""The inbox: every update stored before it is acknowledged, processed once, in order per chat.

`inbox.store` holds and leases updates, `inbox.fence` commits an update's effects together with
its "done" mark, and `inbox.telegram` (the only PTB module) receives updates by webhook or
long polling and runs the dispatcher beside the PTB Application.
"""
