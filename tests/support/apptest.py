"""Pages run in Streamlit's AppTest, and reading what they show."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

from tests.support import ROOT

if TYPE_CHECKING:
    import pandas as pd
    from streamlit.testing.v1 import AppTest


def dashboard(
    page: str | None = None,
    *,
    query: dict[str, str | list[str]] | None = None,
    refresh: bool = False,
    timeout: float = 60,
) -> AppTest:
    """An AppTest of the app's router, not run yet: on `page` (the Overview when None), with
    the URL's query parameters `query`, and with Refresh now pressed when `refresh`.

    A session whose button state is set before its first run is what a user pressing
    Refresh now looks like to the sidebar.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    if refresh:
        at.session_state["filter_refresh"] = True
    return at


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


def metrics(at) -> dict[str, str]:
    """Metric label -> shown value."""
    return {m.label: m.value for m in at.metric}


def table(at, *columns: str) -> pd.DataFrame:
    """The first shown dataframe whose columns start with these names."""
    want = list(columns)
    return next(d.value for d in at.dataframe if list(d.value.columns[: len(want)]) == want)


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
