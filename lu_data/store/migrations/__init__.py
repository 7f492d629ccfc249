"""Alembic revisions of the store's schema, applied on open by lu_data.store.migrate."""
