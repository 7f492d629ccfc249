"""LearnUpon ILT sessions as pandas frames: sources, normaliser, analyses, figures and exports."""

from lu_data.model.loading import DEMO_SOURCE, Portal, load_portal, load_source, read_source
from lu_data.sources.files import RawPage, RawPortal, SourceError

__all__ = [
    "DEMO_SOURCE",
    "Portal",
    "RawPage",
    "RawPortal",
    "SourceError",
    "load_portal",
    "load_source",
    "read_source",
]
__version__ = "0.1.0"
