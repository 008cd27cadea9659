"""Every mapped table, imported in one place so Alembic and the tests see the whole schema."""

import catalog.importing.staged
import catalog.models  # noqa: F401  (orders reference merchants and variants)
import money.models  # noqa: F401
from db import Base
from inbox import models as inbox_models  # noqa: F401  (updates received)
from merchants import models as merchants_models  # noqa: F401  (settings, staff)
from orders import customers as orders_customers  # noqa: F401
from orders import models as orders_models  # noqa: F401  (carts, orders, dialog state)
from outbox import limits as outbox_limits  # noqa: F401  (shared rate windows)
from outbox import models as outbox_models  # noqa: F401  (messages the bot owes)
from payments import models as payments_models  # noqa: F401  (registers payment tables)

metadata = Base.metadata

__all__ = ["metadata"]
