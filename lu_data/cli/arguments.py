"""Arguments the `lu-data` commands share: SOURCE and its help, dates, and writing output."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from lu_data.store.settings import is_store_url

if TYPE_CHECKING:
    from lu_data.model.portal import Portal

SOURCE_HELP = (
    "'demo', a saved JSON export or folder, a portal URL, or a store URL (sqlite:///FILE, "
    "postgresql+psycopg://…): its newest snapshot of each portal"
)
STDOUT = "-"  # `-o -`: standard output, as most command-line tools read a lone dash
OUTPUT_HELP = "file to write, or - for standard output (the default)"


def parse_date(text: str) -> date:
    """A YYYY-MM-DD argument as a date; anything else is a usage error that says the form."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date: use YYYY-MM-DD") from None


def load_source_argument(args: argparse.Namespace) -> Portal:
    """The Portal of args.source: a store URL's newest snapshots (of args.portal), else the
    demo (at args.anchor), a saved export or a portal URL."""
    if is_store_url(args.source):
        from lu_data.store.source import load_store_source  # SQLAlchemy only for a store

        return load_store_source(args.source, args.portal)
    refuse_portal_argument(args)
    from lu_data.ingest.loading import load_source

    return load_source(args.source, anchor=args.anchor)


def refuse_portal_argument(args: argparse.Namespace) -> None:
    """Refuse --portal with a source that is not a store URL: it picks a store's portals."""
    if args.portal:
        raise ValueError("--portal picks portals of a store URL source (sqlite:…, postgresql…)")


def is_stdout(path: Path | None) -> bool:
    """True when output goes to standard output: no -o, or `-o -`."""
    return path is None or str(path) == STDOUT


def output_name(path: Path | None) -> str:
    """Where output goes, for messages: the file's path, or "standard output"."""
    return "standard output" if is_stdout(path) else str(path)


def refuse_binary_terminal(path: Path | None, what: str) -> None:
    """Refuse binary output to a terminal, where it would garble the screen; a pipe is fine."""
    if is_stdout(path) and sys.stdout.isatty():
        raise ValueError(f"{what}: give -o FILE, or -o - into a pipe")


def write_output(path: Path | None, data: bytes) -> None:
    """Write data to the file at path, or as bytes to standard output for none or `-`."""
    if path is not None and not is_stdout(path):
        path.write_bytes(data)
        return
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
