"""Merchants' products: variants, translations, stock, photos, search and CSV import/export.

Imports no other package of ours except the leaves `db` and `money`; nothing runs at import time,
so `import catalog` stays cheap for the CLI and the tests.
"""
