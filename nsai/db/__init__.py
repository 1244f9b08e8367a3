"""Database access: the server (managed cluster or NSAI_DATABASE_URL), engines, migrations."""
