"""The `lu-data` command line."""

from lu_data.cli.commands import main

__all__ = ["main"]
