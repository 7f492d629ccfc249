"""The display-zone choices besides IANA names, without pandas: the command line's defaults."""

from __future__ import annotations

SESSION_ZONE = "local"  # each session in its own zone
UTC_MODE = "utc"
