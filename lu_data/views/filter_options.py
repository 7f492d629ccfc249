"""The shared filters' choices (trainings, tutors, locations) with their labels, per portal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from lu_data.analyses.tutors import tutor_labels
from lu_data.model.portals import with_portal_names
from lu_data.model.schema import UNTITLED
from lu_data.presentation.session_text import location_labels

MAX_LISTED = 200  # options a filter lists at once: longer lists cost the browser seconds to build


@dataclass(frozen=True)
class FilterChoices:
    """Keys to offer in each filter, in display order, and the label shown for each key."""

    trainings: list[str]
    training_labels: dict[str, str]
    tutors: list[str]
    tutor_labels: dict[str, str]
    locations: list[str]


def filter_choices(sessions: pd.DataFrame, trainings: pd.DataFrame) -> FilterChoices:
    """Every training, tutor and location of a portal, sorted by the label people read."""
    # In a view of several portals each title says its portal ("First Aid · emea").
    named = with_portal_names(trainings["title"].fillna(UNTITLED).astype("str"), trainings)
    titles = pd.Series(named.to_numpy(), index=trainings["training_key"], dtype="str")
    # Legacy modules are trainings of their own, so one title often names several: tell
    # them apart by their LearnUpon id ("First Aid (classic) · module 405223").
    clash = titles.duplicated(keep=False)
    ids = pd.Series(titles.index, index=titles.index).str.replace(":", " ", n=1)
    titles = titles.where(~clash, titles + " · " + ids)
    titles = titles.sort_values(kind="stable")
    # Two tutors with one name are told apart by e-mail, as on the Tutors page.
    tutors = tutor_labels(sessions)
    return FilterChoices(
        trainings=list(titles.index),
        training_labels={str(k): v for k, v in titles.items()},
        tutors=list(tutors.index),
        tutor_labels={str(k): str(v) for k, v in tutors.items()},
        locations=sorted(location_labels(sessions).unique()),
    )


def narrow_choices(
    keys: Sequence[str],
    labels: Mapping[str, str],
    query: str,
    selected: Sequence[str],
    limit: int = MAX_LISTED,
) -> tuple[list[str], int]:
    """The options to list for a search: chosen keys first, then up to `limit` matches.

    Matches are keys whose label (or the key itself) contains every word of the query,
    ignoring case, in the given order of keys. Returns the options and how many keys matched.
    """
    words = query.casefold().split()
    chosen = set(selected)
    matches = [
        k for k in keys if k not in chosen and all(w in labels.get(k, k).casefold() for w in words)
    ]
    return [*selected, *matches[:limit]], len(matches)
