"""The sidebar's filter choices: every training, tutor and location, told apart by label."""

from __future__ import annotations

from lu_data.views.filter_options import filter_choices


def test_trainings_sharing_a_title_are_told_apart_by_their_id(demo_portal) -> None:
    """Two legacy modules called the same get their module id; unique titles stay as they are."""
    portal = demo_portal
    choices = filter_choices(portal.sessions, portal.trainings)
    labels = [choices.training_labels[k] for k in choices.trainings]
    assert len(labels) == len(portal.trainings)
    assert len(set(labels)) == len(labels)  # no two entries read the same
    assert choices.training_labels["training:14307"] == (
        "Use APIs to get the most from automation · training 14307"
    )
    assert (
        choices.training_labels["module:552897"] == "New course with live training · module 552897"
    )
    titles = portal.trainings.set_index("training_key")["title"]
    unique = titles[~titles.duplicated(keep=False)]
    assert all(choices.training_labels[k] == t for k, t in unique.items())
    assert labels == sorted(labels)
