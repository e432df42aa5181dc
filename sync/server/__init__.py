"""Reference provincial server: ``python -m sync.server serve --data DIR``.

storage.py (SQLite or PostgreSQL), files.py (content-addressed files and owned, expiring tus
uploads), records.py (idempotent application of desk records, shared by HTTP and USB
bundles), admin.py (enrollment codes, revocation, province changes, listings),
secrets_at_rest.py (desk secrets wrapped with the server key), and the HTTP API: app.py
assembles routers/ (one per area) with deps.py (bounded bodies, authentication, limits),
models.py (Pydantic bodies, the OpenAPI), jsonsafe.py (strict bounded JSON) and errors.py.
Security: docs/security.md.
"""
