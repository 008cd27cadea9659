"""The shared persistence kernel: the declarative base every domain package maps its tables on.

It imports nothing of ours, so `catalog/`, `money/` and `orders/` can all stand on it without
standing on each other; one MetaData keeps foreign keys between their tables resolvable.
"""

from db.base import MAX_ROW_ID, READ_ONLY, Base, UTCDateTime, insert_for, rowcount, utcnow

__all__ = ["MAX_ROW_ID", "READ_ONLY", "Base", "UTCDateTime", "insert_for", "rowcount", "utcnow"]
