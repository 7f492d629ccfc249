"""Fill pace and forecast: typical enrolment curves of past sessions, projections, back-test."""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime
from numbers import Real

import numpy as np
import pandas as pd

from lu_data.model.fill_status import AT_RISK_BELOW, fill_of, percent_text
from lu_data.model.result_schemas import BACKTEST_DTYPES, CURVE_DTYPES
from lu_data.model.schema import UNTITLED, empty_frame
from lu_data.model.selection import is_in
from lu_data.model.timezones import as_utc
from lu_data.presentation.display_zone import SESSION_ZONE, display_times
from lu_data.presentation.time_text import zone_text

MIN_COMPLETED = 5  # completed sessions a training needs before it gets its own curve
MAX_DAYS = 90  # curves run from this many days before start to the start
STALE_DAYS = 7  # a snapshot older than this says nothing about enrolment "as of" a day
FRACTION_FLOOR = 0.10  # below this typical share of the final count it is too early to project
MAX_SESSION_CHOICES = 1_000  # a picker longer than this is unusable and slow to send
BACKTEST_DAYS = (7, 14)
# Reads after "At risk:" and, capitalised, on its own.

ALL_TRAININGS = "*"
CURVE_TRAINING = "this training"
CURVE_ALL = "all trainings"
CURVE_TOO_EARLY = "too early"
DAY = pd.Timedelta(days=1)
# an array, not a list: pandas-stubs types GroupBy.quantile for arrays and scalars only
QUARTILES = np.array([0.25, 0.5, 0.75])

PROJECTION_METHOD = f"""\
**How the projection works (pace ratio).** For every completed session we know how many
learners were enrolled each day before it started, so we know what share of its final
enrolment it had reached *d* days before start. The typical share at *d* days is the median over
the completed sessions of the same training (all trainings together when a training has fewer
than {MIN_COMPLETED} completed sessions with history). An upcoming session's projected final
enrolment is **today's enrolment ÷ the typical share at its days to start**, never below
today's count and never above its capacity (unless it is already overbooked). When sessions
typically have under {percent_text(FRACTION_FLOOR)} of their final enrolment at that point, it is
too early to tell and no projection is made. A session is **at risk** when it is projected to end
under the chosen fill threshold (default {percent_text(AT_RISK_BELOW)}); sessions with no
capacity limit are never at risk."""

CURVE_COLUMNS = list(CURVE_DTYPES)


def projected_risk_text(threshold: float = AT_RISK_BELOW) -> str:
    """The projected rule in words; reads after "At risk:" and, capitalised, on its own."""
    return f"projected to end under {percent_text(threshold)} full"


PROJECTED_RISK_TEXT = projected_risk_text()


def enrolment_as_of(history: pd.DataFrame, keys: pd.Series, when: pd.Series) -> pd.Series:
    """Each (session, time)'s enrolment from the latest snapshot at or before it (NA if none)."""
    targets = pd.DataFrame(
        # The columns' own arrays: as NumPy, tz-aware times are objects, slow by the million.
        {"session_key": keys.array, "at": when.array, "order": np.arange(len(keys))}
    )
    if targets.empty or history.empty:
        return pd.Series(pd.NA, index=keys.index, dtype="Float64")
    snaps = history[["session_key", "recorded_at", "enrolled"]].sort_values("recorded_at")
    targets = targets.dropna(subset=["at"]).sort_values("at")
    merged = pd.merge_asof(
        targets,
        snaps.rename(columns={"recorded_at": "at"}).astype({"at": targets["at"].dtype}),
        on="at",
        by="session_key",
        direction="backward",
        tolerance=pd.Timedelta(days=STALE_DAYS),
    )
    out = pd.Series(pd.NA, index=range(len(keys)), dtype="Float64")
    out.loc[merged["order"].to_numpy()] = merged["enrolled"].astype("Float64").to_numpy()
    return pd.Series(out.to_numpy(), index=keys.index, dtype="Float64")


def completed_pace(
    history: pd.DataFrame,
    sessions: pd.DataFrame,
    as_of: datetime | pd.Timestamp,
    days: Iterable[int] = range(MAX_DAYS + 1),
) -> pd.DataFrame:
    """Per completed session and day before start: enrolment, share of final, fill."""
    as_of = as_utc(as_of)
    done = sessions.loc[
        (sessions["start_utc"] <= as_of).fillna(False)
        & (sessions["enrolled"] > 0).fillna(False)
        & is_in(sessions["session_key"], history["session_key"])
    ].drop_duplicates("session_key")
    days = list(days)
    grid = done.loc[done.index.repeat(len(days)), ["session_key", "training_key", "start_utc"]]
    grid = grid.assign(
        days_to_start=np.tile(days, len(done)),
        final=done["enrolled"].repeat(len(days)).astype("Float64").to_numpy(),
        capacity=done["max_capacity"].repeat(len(days)).astype("Float64").to_numpy(),
    ).reset_index(drop=True)
    grid["training_key"] = grid["training_key"].fillna(grid["session_key"])
    when = grid["start_utc"] - grid["days_to_start"] * DAY
    grid["enrolled"] = enrolment_as_of(history, grid["session_key"], when)
    grid["share"] = grid["enrolled"] / grid["final"]
    grid["fill"] = fill_of(grid["capacity"], grid["enrolled"])
    return grid.dropna(subset=["enrolled"]).reset_index(drop=True)


def typical_curves(
    history: pd.DataFrame,
    sessions: pd.DataFrame,
    as_of: datetime | pd.Timestamp,
    min_sessions: int = MIN_COMPLETED,
    days: Iterable[int] = range(MAX_DAYS + 1),
) -> pd.DataFrame:
    """Median and quartiles of share-of-final and fill by days to start, per training and all
    (only at `days` before start: a projection of sessions starting soon needs no more)."""
    pace = completed_pace(history, sessions, as_of, days)
    if pace.empty:
        return empty_frame(CURVE_DTYPES)
    parts = [_quartiles(pace.assign(training_key=ALL_TRAININGS))]
    per_training = pace.groupby("training_key")["session_key"].nunique()
    enough = per_training.index[per_training >= min_sessions]
    if len(enough):
        parts.append(_quartiles(pace.loc[pace["training_key"].isin(enough)]))
    return pd.concat(parts, ignore_index=True)[CURVE_COLUMNS]


def curve_for(curves: pd.DataFrame, training_key: str) -> tuple[pd.DataFrame, str]:
    """The training's own curve when it has one, else the all-trainings curve; and which."""
    own = curves.loc[curves["training_key"] == training_key]
    if not own.empty:
        return own.reset_index(drop=True), CURVE_TRAINING
    return curves.loc[curves["training_key"] == ALL_TRAININGS].reset_index(drop=True), CURVE_ALL


def upcoming_sessions(sessions: pd.DataFrame, as_of: datetime | pd.Timestamp) -> pd.DataFrame:
    """Sessions that start after as_of (the time their counts were read)."""
    return sessions.loc[(sessions["start_utc"] > as_utc(as_of)).fillna(False)]


def project_sessions(
    sessions: pd.DataFrame, curves: pd.DataFrame, as_of: datetime | pd.Timestamp
) -> pd.DataFrame:
    """A projected final enrolment and fill for every upcoming session (see PROJECTION_METHOD)."""
    up = upcoming_sessions(sessions, as_of)
    days = (up["start_utc"] - as_utc(as_of)) / DAY
    out = pd.DataFrame(
        {
            "session_key": up["session_key"],
            "training_key": up["training_key"].fillna(up["session_key"]),
            "start_utc": up["start_utc"],
            "days_to_start": days.astype("float64"),
            "enrolled": up["enrolled"],
            "max_capacity": up["max_capacity"],
            "fill_rate": up["fill_rate"],
        },
        index=up.index,
    )
    return _project(out, curves)


def projected_at_risk(
    sessions: pd.DataFrame, projections: pd.DataFrame, threshold: float = AT_RISK_BELOW
) -> pd.DataFrame:
    """Sessions projected to end under `threshold` full, soonest first, with their projection."""
    cols = ["session_key", "projected_enrolled", "projected_fill", "curve"]
    low = projections.loc[(projections["projected_fill"] < threshold).fillna(False), cols]
    out = sessions.merge(low, on="session_key", how="inner")
    return out.sort_values(["start_utc", "projected_fill"], kind="stable").reset_index(drop=True)


def backtest(
    history: pd.DataFrame,
    sessions: pd.DataFrame,
    days: Iterable[int] = BACKTEST_DAYS,
    as_of: datetime | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Mean absolute error (seats) of projections made d days before start, and of the naive
    "today's count is final" guess, on the later half of completed sessions; curves come only
    from the earlier half, so nothing is predicted from its own outcome."""
    if history.empty:
        return empty_frame(BACKTEST_DTYPES)
    as_of = as_utc(as_of) if as_of is not None else history["recorded_at"].max()
    done = sessions.loc[
        (sessions["start_utc"] <= as_of).fillna(False)
        & sessions["enrolled"].notna()
        & is_in(sessions["session_key"], history["session_key"])
    ].sort_values("start_utc", kind="stable")
    half = len(done) // 2
    if half == 0:
        return empty_frame(BACKTEST_DTYPES)
    cut = done["start_utc"].iloc[half]
    curves = typical_curves(history, done.iloc[:half], cut)
    tested = done.iloc[half:]
    rows = []
    for d in days:
        when = tested["start_utc"] - d * DAY
        frame = pd.DataFrame(
            {
                "session_key": tested["session_key"],
                "training_key": tested["training_key"].fillna(tested["session_key"]),
                "days_to_start": float(d),
                "enrolled": enrolment_as_of(history, tested["session_key"], when),
                "max_capacity": tested["max_capacity"],
                "final": tested["enrolled"].astype("Float64"),
            }
        ).dropna(subset=["enrolled"])
        projected = _project(frame, curves).dropna(subset=["projected_enrolled"])
        error = (projected["projected_enrolled"] - projected["final"]).abs()
        naive = (projected["enrolled"] - projected["final"]).abs()
        rows.append(
            {
                "days_before": d,
                "sessions": len(projected),
                "mae_projection": float(error.mean()) if len(projected) else float("nan"),
                "mae_naive": float(naive.mean()) if len(projected) else float("nan"),
                "mean_final": float(projected["final"].mean()) if len(projected) else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=list(BACKTEST_DTYPES))


def session_track(
    history: pd.DataFrame, session_key: str, start_utc: pd.Timestamp, capacity: object = None
) -> pd.DataFrame:
    """One session's snapshots as days to start, enrolment and fill (for the pace chart)."""
    rows = history.loc[history["session_key"] == session_key].sort_values("recorded_at")
    seats = float(capacity) if isinstance(capacity, Real) else math.nan
    recorded: pd.Series[pd.Timestamp] = rows["recorded_at"]
    return pd.DataFrame(
        {
            "recorded_at": recorded,
            "days_to_start": ((start_utc - recorded) / DAY).astype("float64"),
            "enrolled": rows["enrolled"],
            "fill": fill_of(pd.Series(seats, index=rows.index), rows["enrolled"]),
        }
    ).reset_index(drop=True)


def pace_table(
    sessions: pd.DataFrame, projections: pd.DataFrame, threshold: float, tz: str = SESSION_ZONE
) -> pd.DataFrame:
    """The page's table: start, title, today's fill, projection and the at-risk flag."""
    rows = sessions.loc[is_in(sessions["session_key"], projections["session_key"])]
    shown = display_times(rows, tz)
    proj = projections.drop_duplicates("session_key").set_index("session_key")
    proj = proj.reindex(rows["session_key"]).reset_index(drop=True)
    rows = rows.reset_index(drop=True)
    table = pd.DataFrame(
        {
            "Start": shown["start_display"].reset_index(drop=True),
            "Zone": zone_text(shown["display_abbr"], shown["display_offset"]).reset_index(
                drop=True
            ),
            "Title": rows["title"].fillna(UNTITLED),
            "Days to start": proj["days_to_start"].round(1),
            "Capacity": rows["max_capacity"],
            "Enrolled": rows["enrolled"],
            "Fill today": rows["fill_rate"],
            "Projected enrolled": proj["projected_enrolled"],
            "Projected fill": proj["projected_fill"],
            "At risk": (proj["projected_fill"] < threshold).fillna(False).astype(bool),
            "Curve": proj["curve"],
            "Session key": rows["session_key"],
        }
    )
    return table.sort_values("Start", kind="stable", ignore_index=True)


def pace_choices(table: pd.DataFrame, limit: int = MAX_SESSION_CHOICES) -> dict[str, str]:
    """Session key → label for the session picker: at-risk sessions first, soonest first."""
    ordered = table.sort_values(["At risk", "Start"], ascending=[False, True], kind="stable")
    ordered = ordered.head(limit)
    when = ordered["Start"].dt.strftime("%d %b %Y %H:%M").fillna("no start")
    labels = when + " · " + ordered["Title"].astype("str")
    return dict(zip(ordered["Session key"].tolist(), labels.tolist(), strict=True))


def _project(frame: pd.DataFrame, curves: pd.DataFrame) -> pd.DataFrame:
    """Add typical_share, curve, projected_enrolled and projected_fill to frame (vectorised)."""
    out = frame.copy()
    # Nearest whole day; beyond the curves' reach there is nothing to compare with.
    day_bin = np.floor(out["days_to_start"].to_numpy(dtype="float64") + 0.5)
    out["day_bin"] = np.where(day_bin > MAX_DAYS, -1, np.maximum(day_bin, 0)).astype("int64")
    median = curves.set_index(["training_key", "days_to_start"])["share_median"].astype("float64")
    median = median[~median.index.duplicated()]
    own = median.reindex(pd.MultiIndex.from_arrays([out["training_key"], out["day_bin"]]))
    every = median.reindex(pd.MultiIndex.from_arrays([[ALL_TRAININGS] * len(out), out["day_bin"]]))
    has_own = is_in(out["training_key"], curves["training_key"].drop_duplicates())
    share = np.where(has_own, own.to_numpy(), every.to_numpy())
    out["typical_share"] = share
    usable = np.nan_to_num(share, nan=0.0) >= FRACTION_FLOOR
    enrolled = out["enrolled"].astype("float64").to_numpy()
    raw = np.divide(enrolled, share, out=np.full(len(out), np.nan), where=usable)
    cap = out["max_capacity"].astype("float64").to_numpy()
    ceiling = np.where(np.isnan(cap) | (cap <= 0), np.inf, np.fmax(cap, enrolled))
    projected = np.fmax(np.minimum(raw, ceiling), enrolled)
    projected = np.where(usable & ~np.isnan(enrolled), np.round(projected), np.nan)
    out["curve"] = np.where(~usable, CURVE_TOO_EARLY, np.where(has_own, CURVE_TRAINING, CURVE_ALL))
    out["projected_enrolled"] = pd.array(projected, dtype="Float64").astype("Int64")
    fill = np.divide(projected, cap, out=np.full(len(out), np.nan), where=cap > 0)
    out["projected_fill"] = pd.array(fill, dtype="Float64")
    return out.drop(columns="day_bin")


def _quartiles(pace: pd.DataFrame) -> pd.DataFrame:
    """Quartiles of share and fill per (training_key, days_to_start)."""
    grouped = pace.groupby(["training_key", "days_to_start"])
    out = grouped["share"].quantile(QUARTILES).unstack()
    out.columns = ["share_q25", "share_median", "share_q75"]
    fill = grouped["fill"].quantile(QUARTILES).unstack()
    fill.columns = ["fill_q25", "fill_median", "fill_q75"]
    return out.join(fill).assign(sessions=grouped["session_key"].nunique()).reset_index()
