"""The kinds of source a view is loaded from, and the portal names they give by default."""

from __future__ import annotations

SOURCE_DEMO = "demo"  # the generated demo portal; also its portal name and its CLI source
SOURCE_UPLOAD = "upload"  # JSON exports uploaded in the browser; also their portal name
SOURCE_PORTAL = "portal"  # a configured LearnUpon portal, read from the store
SOURCE_LABELS = {
    SOURCE_DEMO: "Demo portal",
    SOURCE_UPLOAD: "Uploaded JSON exports",
    SOURCE_PORTAL: "LearnUpon portal",
}
DEFAULT_PORTAL = SOURCE_PORTAL  # the name of a portal loaded without one
