"""LearnUpon ILT sessions as pandas frames: sources, normaliser, analyses, figures and exports."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lu_data.core.raw import RawPage, RawPortal
    from lu_data.core.source_kinds import SOURCE_DEMO
    from lu_data.ingest.loading import load_portal, load_source, read_source
    from lu_data.model.portal import Portal
    from lu_data.sources.files import SourceError

__all__ = [
    "SOURCE_DEMO",
    "Portal",
    "RawPage",
    "RawPortal",
    "SourceError",
    "load_portal",
    "load_source",
    "read_source",
]
__version__ = "0.1.0"

# Where each public name lives. They are imported on first use, so importing any lu_data module
# (every `lu-data` command does) costs nothing until pandas and the pipeline are really needed.
_HOMES = {
    "SOURCE_DEMO": "lu_data.core.source_kinds",
    "Portal": "lu_data.model.portal",
    "RawPage": "lu_data.core.raw",
    "RawPortal": "lu_data.core.raw",
    "SourceError": "lu_data.sources.files",
    "load_portal": "lu_data.ingest.loading",
    "load_source": "lu_data.ingest.loading",
    "read_source": "lu_data.ingest.loading",
}


def __getattr__(name: str) -> Any:
    """A public name, imported from its home module the first time it is asked for."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'lu_data' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later lookups find it without coming here
    return value


def __dir__() -> list[str]:
    """The module's names, the public ones not yet imported included."""
    return sorted({*globals(), *__all__})
