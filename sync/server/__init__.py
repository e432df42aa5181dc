"""Reference provincial server: ``python -m sync.server serve --data DIR``.

storage.py (SQLite or PostgreSQL), files.py (content-addressed files and tus uploads),
records.py (idempotent application of desk records, shared by HTTP and USB bundles),
admin.py (enrollment codes, revocation, province changes, listings), app.py (FastAPI).
"""
