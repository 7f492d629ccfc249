"""The API client against the stand-in portal: unpaced vs bare GETs, paced vs the floor."""

from __future__ import annotations

import gc

from benchmarks.harness import (
    API_PAGE_SIZE,
    API_PASSWORD,
    API_REPEATS,
    API_USER,
    PACED_REQUESTS,
    PACED_RPS,
    UNLIMITED_QUOTA,
    Report,
    median,
    timed,
)
from lu_data.core.raw import RawPortal


def measure_api(report: Report, raw: RawPortal, repeats: int) -> None:
    """Client fetch (pacing off) against bare requests.get of exactly the same requests."""
    import requests

    from lu_data.sources.api_client import PortalConfig, fetch_portal
    from lu_data.sources.fake_portal import FakePortal

    # The stand-in counts every request against its minute quota and the client rightly slows
    # down near the end of it; the baselines' requests must not use up the client's quota.
    with FakePortal(
        raw,
        username=API_USER,
        password=API_PASSWORD,
        page_size=API_PAGE_SIZE,
        minute_quota=UNLIMITED_QUOTA,
    ) as fake:
        config = PortalConfig(
            base_url=fake.base_url,
            username=API_USER,
            password=API_PASSWORD,
            requests_per_second=0,
            all_modules=True,
            max_pages=100_000,
        )
        fetch_portal(config)  # the stand-in serialises its pages on first use; not billed
        # A real portal is another process: its records must not slow this one's collections.
        gc.collect()
        gc.freeze()
        fake.reset_counts()
        fetch_portal(config)
        urls = [f"http://{fake.host}:{fake.port}{entry}" for entry in fake.request_log]
        auth = (API_USER, API_PASSWORD)
        headers = {"Accept": "application/json"}

        def bare() -> None:
            for url in urls:
                requests.get(url, auth=auth, headers=headers, timeout=30).content  # noqa: B018

        def pooled() -> None:
            with requests.Session() as s:
                for url in urls:
                    s.get(url, auth=auth, headers=headers, timeout=30).content  # noqa: B018

        runs: dict[str, list[float]] = {"client": [], "full": [], "bare": [], "session": []}
        for _ in range(max(repeats, API_REPEATS)):  # half a second each: a steadier median
            # the dashboard's fetch (lean records, for loading); then `lu-data fetch`'s
            runs["client"].append(timed(lambda: fetch_portal(config, lean=True))[0])
            runs["full"].append(timed(lambda: fetch_portal(config))[0])
            runs["bare"].append(timed(bare)[0])
            runs["session"].append(timed(pooled)[0])
    modules = sum(1 for u in urls if "/modules" in u)
    report.add(
        "api_pages",
        float(len(urls)),
        "requests",
        note=f"{modules} module pages of {API_PAGE_SIZE} + {len(urls) - modules} course pages",
    )
    client, bare_s = median(runs["client"]), median(runs["bare"])
    report.add(
        "api_client_s",
        client,
        "s",
        runs=runs["client"],
        note="fetch_portal(lean=True) as the dashboard loads, rps=0, fresh process",
    )
    report.add(
        "api_client_full_s",
        median(runs["full"]),
        "s",
        runs=runs["full"],
        note="fetch_portal with whole records, as `lu-data fetch` saves them (info)",
    )
    report.add(
        "api_bare_get_s",
        bare_s,
        "s",
        runs=runs["bare"],
        note="requests.get per URL, sequential, same auth, new connection each",
    )
    report.add(
        "api_session_get_s",
        median(runs["session"]),
        "s",
        runs=runs["session"],
        note="one requests.Session, sequential (keep-alive, info)",
    )
    report.add("api_client_vs_bare", client / bare_s, "x", note="both sequential")


def measure_paced(report: Report, raw: RawPortal) -> None:
    """Fetch about PACED_REQUESTS pages at 5 requests a second; compare with (n-1)/5 s."""
    from lu_data.sources.api_client import PortalConfig, fetch_portal
    from lu_data.sources.fake_portal import FakePortal

    everything = {
        (m.get("id"), m.get("session_id")) if isinstance(m, dict) else id(m)
        for p in raw.pages
        for m in p.modules
    }
    courses = max(len(raw.courses), 1)
    # Pick the page size that makes courses + modules pages come to PACED_REQUESTS.
    page_size = max(1, -(-(len(everything) + courses) // (PACED_REQUESTS - 2)))
    with FakePortal(raw, username=API_USER, password=API_PASSWORD, page_size=page_size) as fake:
        config = PortalConfig(
            base_url=fake.base_url,
            username=API_USER,
            password=API_PASSWORD,
            requests_per_second=PACED_RPS,
            all_modules=True,
            max_pages=100_000,
        )
        fake._listing("all"), fake._listing("courses")  # serialise up front; not billed
        gc.collect()
        gc.freeze()
        seconds, _ = timed(lambda: fetch_portal(config, lean=True))
        count = fake.request_count
    floor = (count - 1) / PACED_RPS
    report.add("api_paced_s", seconds, "s", note=f"{count} requests at {PACED_RPS:g} rps")
    report.add("api_paced_floor_s", floor, "s", note="(n - 1) / 5")
    report.add("api_paced_vs_floor", seconds / floor, "x")
