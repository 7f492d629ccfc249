"""LearnUpon ILT sessions as pandas frames: sources, normaliser, analyses, figures and exports."""

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
