"""Shared fixtures: test data paths, a pinned 'today', AppTest with clean caches."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ANCHOR = date(2026, 11, 27)


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """Streamlit caches are process-global; every test starts cold."""
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield


@pytest.fixture
def data_dir() -> Path:
    """The folder of committed test inputs."""
    return DATA


def load_records(name: str) -> list[dict]:
    """The 'modules' list of a committed sample file."""
    return json.loads((DATA / name).read_text(encoding="utf-8"))["modules"]


@pytest.fixture
def app(monkeypatch):
    """A factory for AppTest on the router with today pinned to ANCHOR and no portal configured."""
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("LU_TODAY", ANCHOR.isoformat())
    for var in (
        "LEARNUPON_PORTAL",
        "LEARNUPON_BASE_URL",
        "LEARNUPON_USERNAME",
        "LEARNUPON_PASSWORD",
    ):
        monkeypatch.delenv(var, raising=False)

    def make(page: str | None = None, **query: str | list[str]) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=30)
        for key, value in query.items():
            at.query_params[key] = value
        if page:
            at.switch_page(page)
        return at

    return make
