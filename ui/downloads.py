"""Every download button of the app: data built on click for large views, and with sign-in
on, one audit event per download (who, which page and filters, how many rows); the audit
events of the Plan page's merge proposals and draft checks are written the same way."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import date
from typing import Any

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from lu_data.analyses.filters import Filters
from lu_data.store.audit import write_audit
from ui.access import current_access, sign_in_configured

DEFER_DOWNLOAD_ROWS = 5_000  # above this, exports are built on click, not on every rerun
PAGE_KEY = "_lu_page"  # the open page's title, for the audit log


def deferred(build: Callable[[], bytes], rows: int) -> bytes | Callable[[], bytes]:
    """Download data now for small views; for large ones, a callable run on click."""
    return build if rows > DEFER_DOWNLOAD_ROWS else build()


def offer_download(
    where: DeltaGenerator | None,
    label: str,
    build: Callable[[], bytes],
    *,
    rows: int,
    file_name: str,
    key: str,
    mime: str,
    filters: Filters | Mapping[str, Any] | None = None,
    **button: Any,
) -> None:
    """A download button for build()'s bytes (`button` holds icon, help and the like).

    With sign-in on, the bytes are always built on click, which is when the audit event is
    written: drawing a button is not a download. `filters` are the sidebar's, or a page's own
    choices (name → value) where it has other ones.
    """
    data: bytes | Callable[[], bytes]
    if sign_in_configured():
        data = _audited(build, file_name=file_name, rows=rows, filters=filters)
    else:
        data = deferred(build, rows)
    (where or st).download_button(
        label, data=data, file_name=file_name, mime=mime, key=key, on_click="ignore", **button
    )


def _audited(
    build: Callable[[], bytes],
    *,
    file_name: str,
    rows: int,
    filters: Filters | Mapping[str, Any] | None,
) -> Callable[[], bytes]:
    """build, writing its audit event once built; everything it names is taken now, in the run."""
    access = current_access()
    fields = {
        "email": access.email,
        "name": access.name,
        "role": access.role,
        "page": st.session_state.get(PAGE_KEY, ""),
        "file": file_name,
        "rows": rows,
        "filters": filters_record(filters),
    }

    def audited_build() -> bytes:
        data = build()
        write_audit("download", **fields)
        return data

    return audited_build


def record_action(event: str, **fields: Any) -> None:
    """With sign-in on, one audit line for an action on a page (a merge proposal, a draft
    check): who, which page, and `fields` (file, rows, filters, counts). Without sign-in
    there is no one to name, so nothing is written, as for downloads."""
    if not sign_in_configured():
        return
    access = current_access()
    page = st.session_state.get(PAGE_KEY, "")
    write_audit(event, email=access.email, name=access.name, role=access.role, page=page, **fields)


def filters_record(filters: Filters | Mapping[str, Any] | None) -> dict[str, Any]:
    """The filters a view was downloaded under, as JSON-ready values (empty ones left out)."""
    if filters is None:
        return {}
    record: dict[str, Any] = {}
    values = asdict(filters) if isinstance(filters, Filters) else dict(filters)
    for name, value in values.items():
        if value in (None, (), {}, ""):
            continue
        record[name] = value.isoformat() if isinstance(value, date) else value
    return record
