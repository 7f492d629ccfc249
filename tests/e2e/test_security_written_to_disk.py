"""Security on disk: after the other security tests, no file holds the credentials.

This module sorts after the other test_security* modules, so it runs after them.
"""

from __future__ import annotations

from tests.support.security import SECRETS, scan_disk


def test_no_credential_written_to_disk() -> None:
    """After the other security modules, no file in the tree, ~/.streamlit or tmp has them."""
    hits = [p for secret in SECRETS for p in scan_disk(secret)]
    assert not hits, hits
