"""The raw module fields the normaliser reads, and a compact record type holding only those."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec

COMPONENT_FIELD = "component_type"
NO_LOCATION_ID = -1  # LearnUpon's location_id for "no location": web sessions, or none set
# Fields read from every ILT record: they decide identity, rejection, warnings and merging.
RECORD_FIELDS = [
    "id",
    "training_id",
    "session_id",
    "session_tutor_id",
    "location_id",
    "start_at",
    "end_at",
    "updated_at",
    "max_capacity",
    "number_enrolled_on_session",
    # text compared between copies of a session: cheap to read while the record is at hand
    "title",
    "timezone",
    "location",
]
TUTOR_NAME_FIELDS = ("tutor_first_name", "tutor_last_name")
CONFLICT_TEXT = ("title", "timezone", "location")
LATE_FIELDS = ("created_at", "number_of_linked_courses")
STRING_FIELDS = {
    "title": "title",
    "timezone": "timezone",
    "location": "location",
    "address_1": "address_1",
    "address_2": "address_2",
    "address_3": "address_3",
    "location_country_code": "country_code",
    "location_state_code": "state_code",
    "tutor_email": "tutor_email",
    "description_text": "description",
}
# Read only for the sessions kept after merging, straight into output order.
OUTPUT_FIELDS = [*STRING_FIELDS, *TUTOR_NAME_FIELDS, *LATE_FIELDS]
# Every field any step reads, in one order: the slots of a LeanRecord.
LEAN_FIELDS = list(dict.fromkeys([COMPONENT_FIELD, *RECORD_FIELDS, *OUTPUT_FIELDS]))

# A module record reduced to LEAN_FIELDS; a missing key reads as None, like JSON null.
# Decoding into it skips the ~10 fields nothing reads (HTML descriptions, creators,
# assignments) and builds no dict per record: about half the time and memory of a full parse.
if TYPE_CHECKING:
    # defstruct builds the class at run time, so the checker sees a Struct whose fields
    # (LEAN_FIELDS) are read by name: any attribute is Any.
    class LeanRecord(msgspec.Struct, gc=False):
        """A module record reduced to LEAN_FIELDS."""

        def __getattr__(self, name: str) -> Any: ...

else:
    LeanRecord = msgspec.defstruct(
        "LeanRecord", [(name, Any, None) for name in LEAN_FIELDS], gc=False, module=__name__
    )


class LeanEnvelope(msgspec.Struct, gc=False):
    """One API envelope (or saved-file metadata) as a lean read sees it; absent keys UNSET."""

    modules: list[LeanRecord] | msgspec.UnsetType = msgspec.UNSET
    page: Any = msgspec.UNSET
    course_id: Any = msgspec.UNSET
    lu_data: Any = msgspec.UNSET
    courses: Any = msgspec.UNSET


def record_mapping(record: Any) -> dict[str, Any]:
    """A record's fields as a dict: dicts as they are, LeanRecords unpacked, anything else {}."""
    if isinstance(record, dict):
        return record
    if isinstance(record, LeanRecord):
        return msgspec.structs.asdict(record)
    return {}
