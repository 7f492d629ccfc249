"""Shared test helpers, one module for each thing they build or start.

- `records`: LearnUpon module records (ILT Center and legacy) and the portals that hold them.
- `schedule`: small hand-laid schedules of sessions after a fixed fetch time, as a
  sessions frame or a saved export.
- `demo`: the demo portal for the pinned today, and the pages' default view of it.
- `planning`: hand-built portals for the planner, on each zone's wall clock.
- `drafts`: the hostile-draft corpus (rows that cannot be sessions, with their reasons).
- `apptest`: pages run in Streamlit's AppTest, and what they show (metrics, tables, charts).
- `servers`: Streamlit servers on loopback, the app pointed at a stand-in portal, waiting.
- `browser`: Chromium, and pages opened in it.
- `clock`: an injected clock for code that sleeps.
- `pg`, `replicas`, `security`, `background`: PostgreSQL, the load test's cluster, the
  security tests' shared credential and checks, the long checks started with the run.
- `sign_in`, `sticky_proxy`: the OIDC stand-in, signing in and the audit events a store holds;
  one origin in front of several replicas, sticky per browser, as a load balancer.

Here only what all of them share: where things are and the pinned today.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
ANCHOR = date(2026, 11, 27)
PORTAL_ENV = ("LEARNUPON_PORTAL", "LEARNUPON_BASE_URL", "LEARNUPON_USERNAME", "LEARNUPON_PASSWORD")
