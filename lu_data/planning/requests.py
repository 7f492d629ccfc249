"""What a coordinator asks the planner for: trainings and how many sessions each, the window of
days, working hours and tutor limits; read from text and checked, one clear error per value."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date, time, timedelta

import pandas as pd

from lu_data.analyses.supply_demand import SELLS_OUT
from lu_data.model.schema import UNTITLED

LEAD_DAYS = 7  # the default window starts this many days after today
WINDOW_WEEKS = 8  # and runs this long
DAY_START = time(9, 0)
DAY_END = time(17, 0)
BUFFER_MINUTES = 30  # a tutor's gap between two sessions
SOLVER_SECONDS = 5.0  # the solver's time limit
MAX_COUNT = 50  # sessions of one training in one plan: more is a typing error
HOURS_PATTERN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


class PlanError(ValueError):
    """A plan request that cannot be read or met: its message names the value."""


@dataclass(frozen=True)
class PlanRequest:
    """Sessions to add for one training (its key in the view)."""

    training_key: str
    count: int = 1


@dataclass(frozen=True)
class PlanSettings:
    """The window (local days, inclusive), working hours and limits every proposal keeps."""

    first_day: date
    last_day: date
    day_start: time = DAY_START
    day_end: time = DAY_END
    weekends: bool = False
    max_week_hours: float | None = None  # None: each tutor's busiest week of the last 12
    buffer_minutes: int = BUFFER_MINUTES
    extra_tutors: tuple[tuple[str, str], ...] = field(default=())  # (training key, tutor key)
    seconds: float = SOLVER_SECONDS

    @property
    def hours_text(self) -> str:
        """The working hours as people write them: "09:00–17:00"."""
        return f"{self.day_start:%H:%M}–{self.day_end:%H:%M}"


def default_window(today: date) -> tuple[date, date]:
    """From LEAD_DAYS after today, WINDOW_WEEKS long (both ends inclusive)."""
    first = today + timedelta(days=LEAD_DAYS)
    return first, first + timedelta(weeks=WINDOW_WEEKS, days=-1)


def parse_hours(text: str) -> tuple[time, time]:
    """ "HH:MM-HH:MM" as (start, end); hours that end before they start are refused."""
    match = HOURS_PATTERN.match(text or "")
    if not match:
        raise PlanError(f"hours '{text}': write them as HH:MM-HH:MM, e.g. 09:00-17:00")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise PlanError(f"hours '{text}': not a time of day")
    start = time(h1, m1)
    end = time(23, 59) if h2 == 24 else time(h2, m2)
    if end <= start:
        raise PlanError(f"hours '{text}' end before they start")
    return start, end


def parse_count(text: str) -> tuple[str, int]:
    """ "TRAINING=N" as (training, N), N from 1 to MAX_COUNT; a bare name asks for one."""
    name, sep, count = text.rpartition("=")
    if not sep:
        name, count = text, "1"
    name = name.strip()
    if not name:
        raise PlanError(f"'{text}': name a training before '='")
    try:
        n = int(count.strip())
    except ValueError:
        raise PlanError(f"'{text}': the count after '=' is not a whole number") from None
    if n < 1:
        raise PlanError(f"'{text}': ask for at least one session")
    if n > MAX_COUNT:
        raise PlanError(f"'{text}': at most {MAX_COUNT} sessions of one training in one plan")
    return name, n


def check_window(settings: PlanSettings, today: date) -> None:
    """Refuse a window that ends before it starts or lies wholly in the past."""
    if settings.last_day <= today:
        raise PlanError(
            f"the window ends {settings.last_day:%Y-%m-%d}, in the past (today is "
            f"{today:%Y-%m-%d}): new sessions start after today"
        )
    if settings.last_day < settings.first_day:
        raise PlanError(
            f"the window ends ({settings.last_day:%Y-%m-%d}) before it starts "
            f"({settings.first_day:%Y-%m-%d})"
        )
    if settings.buffer_minutes < 0:
        raise PlanError(f"buffer of {settings.buffer_minutes} minutes: give 0 or more")
    if settings.max_week_hours is not None and settings.max_week_hours <= 0:
        raise PlanError(f"weekly limit of {settings.max_week_hours:g} h: give more than 0")
    if settings.seconds <= 0:
        raise PlanError(f"a time limit of {settings.seconds:g} s: give more than 0")


def training_titles(sessions: pd.DataFrame) -> pd.Series:
    """Each training key's title (its most frequent one), indexed by key."""
    keys = sessions["training_key"].fillna(sessions["session_key"])
    titles = sessions["title"].fillna(UNTITLED)
    frame = pd.DataFrame({"key": keys, "title": titles})
    counts = frame.value_counts(sort=True)
    return counts.reset_index().drop_duplicates("key").set_index("key")["title"].sort_index()


def resolve_training(sessions: pd.DataFrame, name: str) -> str:
    """The training key `name` means: a title (exact, any case) or a training_id."""
    titles = training_titles(sessions)
    wanted = name.strip().casefold()
    hits = titles.index[titles.str.casefold().eq(wanted).to_numpy()]
    if len(hits) == 0 and wanted.isdigit() and "training_id" in sessions:
        ids = sessions["training_id"].astype("Float64").eq(float(wanted)).fillna(False)
        hits = pd.Index(sessions.loc[ids.to_numpy(), "training_key"].dropna().unique())
    if len(hits) == 1:
        return str(hits[0])
    if len(hits) > 1:
        raise PlanError(
            f"training '{name}' names {len(hits)} trainings: give its training_id "
            f"({', '.join(sorted(str(h) for h in hits))})"
        )
    near = difflib.get_close_matches(name, list(titles.unique()), n=3, cutoff=0.5)
    hint = f"; nearest: {', '.join(repr(t) for t in near)}" if near else ""
    raise PlanError(f"no training '{name}' in this source{hint}")


def resolve_tutor(sessions: pd.DataFrame, email: str) -> str:
    """The tutor key of the tutor with this e-mail (any case) in the source."""
    wanted = email.strip().casefold()
    found = sessions.loc[sessions["tutor_email"].str.casefold().eq(wanted).fillna(False).to_numpy()]
    if found.empty:
        raise PlanError(f"no tutor with e-mail '{email}' teaches in this source")
    return str(found["tutor_key"].iloc[0])


def sells_out_keys(verdicts: pd.DataFrame) -> frozenset[str]:
    """The trainings supply and demand judges "sells out early" (analyses.supply_demand)."""
    hit = verdicts["verdict"].eq(SELLS_OUT).fillna(False).to_numpy()
    return frozenset(str(k) for k in verdicts.loc[hit, "training_key"])


def default_requests(verdicts: pd.DataFrame) -> list[PlanRequest]:
    """One more session of each training that sells out early, in title order."""
    hit = verdicts.loc[verdicts["verdict"].eq(SELLS_OUT).fillna(False).to_numpy()]
    hit = hit.sort_values(["title", "training_key"], kind="stable")
    return [PlanRequest(str(k), 1) for k in hit["training_key"]]
