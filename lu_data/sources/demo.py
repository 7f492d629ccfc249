"""A deterministic demo portal in the exact LearnUpon API shape, of any size, anchored on a date."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from lu_data.core.raw import RawPage, RawPortal
from lu_data.sources.rails_zones import RAILS_TO_IANA
from lu_data.sources.record_fields import NO_LOCATION_ID

DEMO_SESSIONS = 600
DEMO_SEED = 7
PAGE_SIZE = 500
DAYS_BACK = 90
DAYS_AHEAD = 182
SESSIONS_PER_TRAINING = 28
SESSIONS_PER_TUTOR = 24
SESSIONS_PER_ROOMS = 1_000  # a demo this size has one room per venue; a larger one more
LEGACY_SHARE = 0.03
DOUBLE_BOOKING_SHARE = 0.006
SAMPLES_DIR = Path(__file__).parent / "samples"

# (Rails zone as LearnUpon sends it, in-person venue, street address, country, state)
VENUES: list[tuple[str, str, str, str, str]] = [
    ("Dublin", "Dublin HQ, Training Room 2", "1 Grand Canal Square", "IE", ""),
    ("London", "London Academy, Floor 4", "20 Farringdon Road", "GB", ""),
    ("Berlin", "Berlin Campus, Raum Spree", "Friedrichstrasse 68", "DE", ""),
    ("Paris", "Paris Office, Salle Seine", "12 Rue de Rivoli", "FR", ""),
    ("Eastern Time (US & Canada)", "New York Learning Center", "350 5th Ave", "US", "NY"),
    ("Central Time (US & Canada)", "Chicago Training Hub", "233 S Wacker Dr", "US", "IL"),
    ("Pacific Time (US & Canada)", "San Francisco Studio", "1 Market St", "US", "CA"),
    ("Brasilia", "São Paulo Escritório", "Av. Paulista 1000", "BR", "SP"),
    ("Mumbai", "Mumbai Learning Centre", "Bandra Kurla Complex", "IN", "MH"),
    ("Singapore", "Singapore Hub", "1 Raffles Place", "SG", ""),
    ("Tokyo", "Tokyo Office, Room Fuji", "2-7-2 Marunouchi", "JP", ""),
    ("Sydney", "Sydney Training Suite", "200 George St", "AU", "NSW"),
    ("Auckland", "Auckland Office", "188 Quay St", "NZ", ""),
    ("Pretoria", "Johannesburg Centre", "Sandton Drive 10", "ZA", ""),
]
# The demo's supply and demand: these topics' sessions sell out early, those rarely fill, so the
# Fill pace page's table has both kinds to show (other topics fill as the dates suggest).
POPULAR_TOPICS = frozenset({"Coaching for Managers", "Mental Health First Aid"})
NICHE_TOPICS = frozenset({"SQL for Analysts", "Kubernetes Operations"})
POPULAR_FULL_DAYS = 14  # a popular topic's sessions are full from this many days out
NICHE_FILL = 0.25  # what a niche topic's sessions aim at
VIRTUAL_ROOMS = ["Virtual classroom (Zoom)", "Microsoft Teams webinar", "Online (Webex)"]
TOPICS = [
    "Use APIs to get the most from automation",
    "Excel for Finance: Pivot Tables",
    "Leading Remote Teams",
    "GDPR Essentials",
    "Forklift Safety Refresher",
    "Customer Onboarding Masterclass",
    "Negotiation Skills",
    "Presenting with Impact",
    "Salesforce Admin Fundamentals",
    "First Aid at Work",
    "Coaching for Managers",
    "Agile Project Delivery",
    "Cybersecurity Awareness",
    "Time Management",
    "Product Demo Certification",
    "Inclusive Hiring",
    "Power BI Dashboards",
    "Fire Warden Training",
    "Handling Difficult Conversations",
    "SQL for Analysts",
    "New Manager Bootcamp",
    "Service Desk Escalations",
    "Anti-Bribery Compliance",
    "Design Thinking Workshop",
    "Partner Sales Enablement",
    "Mental Health First Aid",
    "Writing for the Web",
    "Kubernetes Operations",
    "Budgeting Basics",
    "Effective Feedback",
    "Warehouse Picking Standards",
    "Advanced Support Tooling",
    "Unconscious Bias",
    "Account Planning",
    "Onboarding: Week One Live",
    "Food Hygiene Level 2",
    "Change Management",
    "Stakeholder Mapping",
    "Public Speaking Lab",
    "Data Privacy for Engineers",
]
FIRST = [
    "Aoife",
    "Liam",
    "Sofia",
    "Mateo",
    "Priya",
    "Kenji",
    "Chloe",
    "Noah",
    "Amara",
    "Lucas",
    "Yuki",
    "Ines",
    "Omar",
    "Freya",
    "Diego",
    "Hannah",
    "Ravi",
    "Mei",
    "Tom",
    "Zara",
    "Felix",
    "Nadia",
    "Oisín",
    "Grace",
    "Hugo",
]
LAST = [
    "Murphy",
    "Schmidt",
    "Rossi",
    "García",
    "Patel",
    "Tanaka",
    "Dubois",
    "Walsh",
    "Okafor",
    "Silva",
    "Sato",
    "Moreau",
    "Haddad",
    "Nilsen",
    "López",
    "Becker",
    "Iyer",
    "Chen",
    "Byrne",
    "Khan",
    "Weber",
    "Novak",
    "Kelly",
    "Evans",
    "Martin",
]
CAPACITIES = [6, 8, 10, 12, 12, 15, 16, 20, 20, 25, 30]
DURATIONS_H = [1.0, 1.5, 1.5, 2.0, 2.0, 3.0, 3.5, 4.0, 7.0]
NON_ILT_TYPES = ["scorm", "exam", "page", "video"]


def generate_demo(
    n_sessions: int = DEMO_SESSIONS, seed: int = DEMO_SEED, anchor: date | None = None
) -> RawPortal:
    """Build a demo portal of about n_sessions ILT sessions around the anchor date."""
    rng = random.Random(seed)
    anchor = anchor or datetime.now(UTC).date()
    tutors = _make_tutors(rng, max(25, round(n_sessions / SESSIONS_PER_TUTOR)))
    samples = _sample_records()
    n_gen = max(0, n_sessions - len(samples))
    n_legacy = round(n_gen * LEGACY_SHARE)
    n_center = n_gen - n_legacy
    n_trainings = max(1, round(n_center / SESSIONS_PER_TRAINING))
    rooms = max(1, -(-n_sessions // SESSIONS_PER_ROOMS))  # each venue's rooms grow with size
    courses: list[dict[str, Any]] = [
        {"id": 9001, "name": "LearnUpon API Masterclass"},
        {"id": 9002, "name": "Live training (legacy)"},
    ]
    by_course: dict[int, list[dict[str, Any]]] = {9001: samples[:3], 9002: samples[3:]}
    ids = {"module": 600000, "training": 20000, "session": 30000, "course": 10000}
    per_training = _split(rng, n_center, n_trainings)
    busy: set[tuple[int, date]] = (
        set()
    )  # (tutor, day) already teaching: clashes are added on purpose
    for t in range(n_trainings):
        topic = TOPICS[t % len(TOPICS)]
        title = topic if t < len(TOPICS) else f"{topic} (cohort {t // len(TOPICS) + 1})"
        ids["module"] += 1
        ids["training"] += 1
        training = {
            "module_id": ids["module"],
            "training_id": ids["training"],
            "title": title,
            "tutors": [tutors[(t * 3 + j) % len(tutors)] for j in range(rng.choice([1, 2, 2, 3]))],
            "virtual_share": rng.choice([0.0, 0.3, 0.6, 1.0]),
            "venue": rng.choice(VENUES),
            "rooms": rooms,
            "popular": topic in POPULAR_TOPICS,
            "niche": topic in NICHE_TOPICS,
        }
        linked = _new_courses(rng, ids, courses, title, rng.choice([1, 1, 2, 3]))
        records = []
        for _ in range(per_training[t]):
            ids["session"] += 1
            records.append(_session(rng, anchor, training, ids["session"], len(linked), busy))
        for cid in linked:
            by_course.setdefault(cid, []).extend(records)
            by_course[cid].extend(_non_ilt(rng, ids, cid))
    for _ in range(n_legacy):
        ids["module"] += 1
        title = f"{rng.choice(TOPICS)} (classic)"
        training = {
            "module_id": ids["module"],
            "training_id": None,
            "title": title,
            "tutors": [rng.choice(tutors)],
            "virtual_share": 0.5,
            "venue": rng.choice(VENUES),
            "rooms": rooms,
        }
        (cid,) = _new_courses(rng, ids, courses, title, 1)
        by_course.setdefault(cid, []).append(_session(rng, anchor, training, None, 1, busy))
    _add_double_bookings(rng, by_course, round(n_sessions * DOUBLE_BOOKING_SHARE), anchor)
    pages = [
        RawPage(
            modules=mods[i : i + PAGE_SIZE],
            label=f"demo course {cid} page {i // PAGE_SIZE + 1}",
            course_id=cid,
        )
        for cid, mods in by_course.items()
        for i in range(0, max(len(mods), 1), PAGE_SIZE)
    ]
    stamp = datetime.combine(anchor, time(8, 0), tzinfo=UTC)
    return RawPortal(pages=pages, origin="demo portal", fetched_at=stamp, courses=courses)


def _sample_records() -> list[dict[str, Any]]:
    """The five sample records from LearnUpon's module-id note, as sent."""
    out: list[dict[str, Any]] = []
    for name in ("ilt_center_sessions.json", "legacy_ilt_modules.json"):
        out.extend(json.loads((SAMPLES_DIR / name).read_text(encoding="utf-8"))["modules"])
    return out


def _make_tutors(rng: random.Random, n: int) -> list[dict[str, Any]]:
    tutors = [
        {"id": 240669, "first": "Elsa", "last": "Bouvier", "email": "elsa.bouvier@yourcompany.com"},
        {"id": 291141, "first": "Berengar", "last": "Hesse", "email": "demouser1@yourcompany.com"},
    ]
    for i in range(n - len(tutors)):
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7 + i // len(FIRST)) % len(LAST)]
        tutors.append(
            {
                "id": 310000 + i,
                "first": first,
                "last": last,
                "email": f"{first.lower()}.{last.lower()}{i // 25 or ''}@yourcompany.com",
            }
        )
    rng.shuffle(tutors)
    return tutors


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    weights = [rng.uniform(0.4, 1.6) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def _new_courses(
    rng: random.Random, ids: dict[str, int], courses: list[dict[str, Any]], title: str, k: int
) -> list[int]:
    names = ["", " — Onboarding path", " — Manager track", " — Certification"]
    out = []
    for j in range(k):
        ids["course"] += 1
        courses.append({"id": ids["course"], "name": title + names[j % len(names)]})
        out.append(ids["course"])
    return out


def _session(
    rng: random.Random,
    anchor: date,
    training: dict[str, Any],
    session_id: int | None,
    n_courses: int,
    busy: set[tuple[int, date]],
) -> dict[str, Any]:
    """One module record in the API's field order."""
    virtual = rng.random() < training["virtual_share"]
    venue = training["venue"] if rng.random() < 0.85 else rng.choice(VENUES)
    zone = venue[0]
    tutor = rng.choice(training["tutors"])
    day = anchor + timedelta(days=rng.randint(-DAYS_BACK, DAYS_AHEAD))
    while day.weekday() >= 5 or (tutor["id"], day) in busy:
        day += timedelta(days=1)
    busy.add((tutor["id"], day))
    local_start = datetime.combine(
        day,
        time(rng.choice([8, 9, 9, 10, 11, 13, 14, 15]), rng.choice([0, 0, 30])),
        tzinfo=ZoneInfo(RAILS_TO_IANA[zone]),
    )
    hours = rng.choice(DURATIONS_H)
    start = local_start.astimezone(UTC)
    end = start + timedelta(hours=hours)
    if rng.random() < 0.03:  # two-day workshops
        end = start + timedelta(days=1, hours=hours)
    cap = rng.choice(CAPACITIES)
    days_out = (day - anchor).days
    target = 0.9 if days_out < 0 else max(0.15, 0.95 - days_out / 150)
    if rng.random() < 0.15 or training.get("niche"):  # these struggle to fill whatever the date
        target = NICHE_FILL
    roll = rng.random()
    if roll < 0.04:
        max_capacity: Any = rng.choice([0, None, ""])  # LearnUpon's ways of saying "no limit"
        enrolled = rng.randint(3, 30)
    else:
        max_capacity = cap
        enrolled = min(cap, max(0, round(cap * rng.gauss(target, 0.25))))
        if roll < 0.08:
            enrolled = cap
        elif roll < 0.10:
            enrolled = cap + rng.randint(1, 3)
        elif training.get("popular") and days_out < POPULAR_FULL_DAYS:
            enrolled = cap
    created = start - timedelta(days=rng.randint(20, 120))
    updated = created + timedelta(days=rng.randint(0, 19), minutes=rng.randint(0, 600))
    location = rng.choice(VIRTUAL_ROOMS) if virtual else venue[1]
    # A larger portal has more rooms per venue, picked by id (no draw from rng, so a demo of
    # up to SESSIONS_PER_ROOMS sessions is the same as ever): rooms hold one session at a time
    # in real portals, and a 100,000-session demo in 14 rooms would be all clashes.
    room = (session_id or int(training["module_id"])) % training.get("rooms", 1)
    location_id = 7000 + VENUES.index(venue) + 100 * room
    if room and not virtual:
        location = f"{venue[1]} · Room {room + 1}"
    return {
        "id": training["module_id"],
        "title": training["title"],
        "number_of_linked_courses": n_courses,
        "tags": None,
        "training_id": training["training_id"],
        "session_id": session_id,
        "created_at": _z(created),
        "updated_at": _z(updated),
        "exam_id": None,
        "component_type": "ilt session",
        "description_html": f"<p>{training['title']}: live session.</p>",
        "description_text": f"{training['title']}: live session.",
        "creator_id": 240669,
        "creator_first_name": "Elsa",
        "creator_last_name": "Bouvier",
        "creator_email": "elsa.bouvier@yourcompany.com",
        "assignment_passing_percentage": "",
        "assignment_question_html": "",
        "assignment_question_text": "",
        "location_id": NO_LOCATION_ID if virtual else location_id,
        "location": location,
        "address_1": "" if virtual else venue[2],
        "address_2": None,
        "address_3": "",
        "location_country_code": "" if virtual else venue[3],
        "location_state_code": "" if virtual else venue[4],
        "start_at": _z(start),
        "end_at": _z(end),
        "timezone": zone,
        "number_enrolled_on_session": enrolled,
        "max_capacity": max_capacity,
        "session_tutor_id": tutor["id"],
        "tutor_first_name": tutor["first"],
        "tutor_last_name": tutor["last"],
        "tutor_email": tutor["email"],
    }


def _non_ilt(rng: random.Random, ids: dict[str, int], course_id: int) -> list[dict[str, Any]]:
    """A course's other modules, which a portal returns alongside its ILT sessions."""
    ids["module"] += 1
    kind = rng.choice(NON_ILT_TYPES)
    return [
        {
            "id": ids["module"],
            "title": f"Pre-work ({kind})",
            "component_type": kind,
            "training_id": None,
            "session_id": None,
            "start_at": "",
            "end_at": "",
            "timezone": "UTC",
            "number_enrolled_on_session": 0,
            "max_capacity": 0,
            "session_tutor_id": "",
            "tutor_first_name": "",
            "tutor_last_name": "",
            "tutor_email": "",
            "location_id": "",
            "location": "",
        }
    ]


def _add_double_bookings(
    rng: random.Random, by_course: dict[int, list[dict[str, Any]]], n: int, anchor: date
) -> None:
    """Move a few sessions onto another session of the same tutor, overlapping it."""
    horizon = datetime.combine(anchor + timedelta(days=rng.randint(7, 40)), time(12), tzinfo=UTC)
    sessions = [
        m
        for mods in by_course.values()
        for m in mods
        if m.get("component_type") == "ilt session"
        and m.get("session_id", 0) not in (None, 12222, 12333, 12355)
    ]
    by_tutor: dict[Any, list[dict[str, Any]]] = {}
    for m in sessions:
        by_tutor.setdefault(m["session_tutor_id"], []).append(m)
    busy = [v for v in by_tutor.values() if len(v) > 3]
    for _ in range(min(n, len(busy))):
        group = rng.choice(busy)
        # Prefer clashes in the coming weeks, where a coordinator can still fix them.
        soon = sorted(group, key=lambda m: abs(_parse_z(m["start_at"]) - horizon))
        a, b = soon[0], rng.choice(soon[1:4])
        if a is b or a.get("session_id") == b.get("session_id"):
            continue
        start = _parse_z(a["start_at"])
        shift = timedelta(minutes=rng.choice([0, 30, 60]))
        length = _parse_z(b["end_at"]) - _parse_z(b["start_at"])
        b["start_at"], b["end_at"] = _z(start + shift), _z(start + shift + length)
        b["timezone"] = a["timezone"]


def _parse_z(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _z(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
