"""Pages run in Streamlit's AppTest, and reading what they show (charts, downloads)."""

from __future__ import annotations

import base64
import json
from typing import Any


def open_page(app, page: str | None = None, sidebar: dict[str, Any] | None = None, **query):
    """Run one page in AppTest (the Overview when page is None) and check it raised nothing.

    Sidebar values are preset in session state before the run, as a user's clicks would have
    left them; query holds the URL's parameters.
    """
    at = app(page, **query)
    for key, value in (sidebar or {}).items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def chart(at, key: str) -> dict[str, Any]:
    """The figure JSON of the AppTest plotly chart with this widget key."""
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return json.loads(element.proto.spec)
    raise AssertionError(f"no plotly chart with key {key!r}")


def decode(values: Any) -> list[Any]:
    """A plotly figure-JSON array as a list: typed arrays ({dtype, bdata, shape}) decoded.

    Plotly writes numeric arrays base64-encoded; a 2-D one (a heatmap's z) has a shape "r, c"
    and comes back as a list of rows.
    """
    if isinstance(values, dict) and "bdata" in values:
        import numpy as np

        flat = np.frombuffer(base64.b64decode(values["bdata"]), values["dtype"])
        shape = [int(n) for n in str(values.get("shape", len(flat))).split(",")]
        return flat.reshape(shape).tolist()
    return list(values)


def download(at, media, key: str) -> tuple[bytes, str]:
    """The bytes and file name behind the download button with this widget key."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(f"-{key}"))
    file = media[-1].get_file(button.proto.url.rsplit("/", 1)[1])
    return file.content, file.filename
