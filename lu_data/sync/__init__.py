"""Sync: fetch each configured portal and write its complete snapshot to the store."""
