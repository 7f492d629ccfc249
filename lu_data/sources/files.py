"""Raw inputs: saved API responses, folders of them, and the demo portal, as pages of records."""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# msgspec builds Python objects in one pass: faster again than orjson, and without orjson's
# intermediate document, which took peak memory past 1 GB on a 180 MB export.
import msgspec
import orjson  # orjson parses LearnUpon exports about 3x faster than the standard library

from lu_data.core.raw import RawPage, RawPortal
from lu_data.sources.record_fields import LeanEnvelope, LeanRecord

MAX_FILE_BYTES = 512 * 1024 * 1024
META_KEY = "lu_data"
# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
BOMS = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
)
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
JSON_TYPES = {
    dict: "an object",
    list: "a list",
    str: "a string",
    bool: "true/false",
    int: "a number",
    float: "a number",
    type(None): "null",
}


ENVELOPE_FIELDS = LeanEnvelope.__struct_fields__
_LEAN_DECODER = msgspec.json.Decoder(list[LeanEnvelope] | LeanEnvelope)


class SourceError(Exception):
    """A source that could not be read at all; the message says what to do."""


def parse_json_bytes(data: bytes, name: str) -> Any:
    """Parse JSON bytes, raising SourceError with line and column on bad input."""
    if not data.strip():
        raise SourceError(f"{name} is empty: expected LearnUpon JSON with a 'modules' list")
    data = _as_utf8(data, name)  # drops a UTF-8 BOM; UTF-16/32 exports are re-encoded
    if not data.strip():
        raise SourceError(f"{name} is empty: expected LearnUpon JSON with a 'modules' list")
    try:
        with collector_paused():
            return msgspec.json.decode(data)
    except (msgspec.MsgspecError, UnicodeDecodeError, ValueError, RecursionError):
        pass  # out-of-range numbers, bad text or bad JSON: the parsers below decide
    # orjson rejects invalid UTF-8 itself, so valid files skip a decode that would
    # double their size in memory; only failures get decoded for a precise message.
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        pass  # fall through to the standard library for a precise line and column
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise SourceError(
            f"{name} is not UTF-8 text (byte {exc.start}, line {line}, column {column}): "
            "save the export as UTF-8 JSON"
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"{name} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    except RecursionError:
        raise SourceError(
            f"{name} is nested too deeply to be a LearnUpon export: check the file"
        ) from None
    # Only the standard library took it: NaN/Infinity, huge integers, or a lone surrogate
    # escape (half an emoji) that no later step could encode; mend the last.
    dumped = json.dumps(doc, ensure_ascii=False)
    if LONE_SURROGATE.search(dumped):
        doc = json.loads(LONE_SURROGATE.sub("\ufffd", dumped))
    return doc


def _as_utf8(data: bytes, name: str) -> bytes:
    """UTF-8 bytes without a BOM; UTF-16/32 (told by BOM or, per RFC 4627, NULs) re-encoded."""
    codec = None
    for bom, bom_codec in BOMS:
        if data.startswith(bom):
            data, codec = data[len(bom) :], bom_codec
            break
    else:  # JSON starts with an ASCII character, so NULs around it give the encoding away
        head = data[:4]
        if len(head) == 4 and head[:3] == b"\x00\x00\x00":
            codec = "utf-32-be"
        elif len(head) == 4 and head[1:] == b"\x00\x00\x00":
            codec = "utf-32-le"
        elif len(head) >= 2 and head[0] == 0:
            codec = "utf-16-be"
        elif len(head) >= 2 and head[1] == 0:
            codec = "utf-16-le"
    if codec in (None, "utf-8"):
        return data
    try:
        return data.decode(codec).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{name} is not {codec.upper()} text (byte {exc.start}): save the export as UTF-8 JSON"
        ) from None


def pages_from_document(doc: Any, name: str) -> tuple[list[RawPage], dict[str, Any]]:
    """Split one parsed JSON document into pages; return them and any saved metadata."""
    envelopes = doc if isinstance(doc, list) else [doc]
    if isinstance(doc, list) and doc and all(_looks_like_record(e) for e in doc):
        raise SourceError(f'{name} is a bare list of records: wrap it as {{"modules": [...]}}')
    pages: list[RawPage] = []
    meta: dict[str, Any] = {}
    for number, env in enumerate(envelopes, start=1):
        if not isinstance(env, dict):
            raise SourceError(
                f"{name}: item {number} is {_json_type(env)}, expected an object "
                "with a 'modules' list"
            )
        if META_KEY in env or ("courses" in env and "modules" not in env):
            saved = env.get(META_KEY)
            if isinstance(saved, dict):  # anything else is not our metadata; ignore it
                meta.update(saved)
            courses = env.get("courses")
            if isinstance(courses, list):
                meta.setdefault("courses", []).extend(c for c in courses if isinstance(c, dict))
            continue
        if "modules" not in env:
            keys = ", ".join(sorted(map(str, env))[:6]) or "none"
            raise SourceError(
                f"{name}: no 'modules' envelope (keys found: {keys}); "
                "expected the response of GET /api/v1/modules"
            )
        modules = env["modules"]
        if not isinstance(modules, list):
            raise SourceError(
                f"{name}: 'modules' is {_json_type(modules)}, expected a list of records"
            )
        course_id = _course_id(env.get("course_id"))
        page_no = env.get("page", number if len(envelopes) > 1 else None)
        label = name + (f" page {page_no}" if page_no is not None else "")
        if course_id is not None:
            label += f" (course {course_id})"
        pages.append(RawPage(modules=modules, label=label, course_id=course_id))
    if not pages:
        raise SourceError(f"{name}: no 'modules' envelope found")
    return pages, meta


def read_path(path: str | Path, *, lean: bool = False) -> RawPortal:
    """Read a saved JSON file, or every *.json file in a folder, into a RawPortal.

    lean=True is for loading into frames: records may come back as LeanRecords that hold
    only the fields the normaliser reads. Leave it off to serve or re-save the records.
    """
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix.lower() == ".json" and f.is_file())
        if not files:
            raise SourceError(f"{p} holds no .json files")
    elif p.is_file():
        files = [p]
    else:
        raise SourceError(f"{p} does not exist: give a JSON export, a folder of them, or 'demo'")
    for f in files:  # before reading: a huge file must not be loaded into memory first
        _check_size(f.name if len(files) > 1 else str(f), f.stat().st_size)
    return read_files(
        [(f.name if len(files) > 1 else str(f), f.read_bytes()) for f in files], str(p), lean=lean
    )


def read_files(files: list[tuple[str, bytes]], origin: str, *, lean: bool = False) -> RawPortal:
    """Read named JSON documents (e.g. uploads) into one RawPortal; lean as for read_path."""
    pages: list[RawPage] = []
    meta: dict[str, Any] = {}
    complete = True
    for name, data in files:
        _check_size(name, len(data))
        doc = _lean_document(data) if lean else None
        if doc is None:
            doc = parse_json_bytes(data, name)
        doc_pages, doc_meta = pages_from_document(doc, name)
        pages.extend(doc_pages)
        # one partial file makes the whole partial; only a literal true counts as complete
        complete = complete and doc_meta.get("complete", True) is True
        meta.update({k: v for k, v in doc_meta.items() if k != "courses"})
        meta.setdefault("courses", []).extend(doc_meta.get("courses", []))
    return RawPortal(
        pages=pages,
        origin=str(meta.get("origin") or origin),
        fetched_at=_parse_stamp(meta.get("fetched_at")),
        courses=meta.get("courses", []),
        complete=complete,
    )


def _lean_document(data: bytes) -> list[dict[str, Any]] | dict[str, Any] | None:
    """A well-formed export with its records as LeanRecords; None when anything is unusual.

    Unusual documents (bad JSON, records that are not objects, envelopes without modules,
    other encodings) go to the full parser instead, which words every problem precisely.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        with collector_paused():
            doc = _LEAN_DECODER.decode(data)
    except (msgspec.MsgspecError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    envelopes = [
        {k: v for k in ENVELOPE_FIELDS if (v := getattr(env, k)) is not msgspec.UNSET}
        for env in (doc if isinstance(doc, list) else [doc])
    ]
    if not envelopes or not all(envelopes):  # an envelope with none of the known keys
        return None
    return envelopes if isinstance(doc, list) else envelopes[0]


def dump_portal(raw: RawPortal) -> bytes:
    """Serialise a RawPortal as a list of API envelopes that read_path reads back."""
    head: dict[str, Any] = {
        META_KEY: {
            "origin": raw.origin,
            "fetched_at": raw.fetched_at.isoformat() if raw.fetched_at else None,
            "complete": raw.complete,
        },
        "courses": raw.courses,
    }
    envelopes: list[dict[str, Any]] = [head]
    for number, page in enumerate(raw.pages, start=1):
        env: dict[str, Any] = {"page": number, "modules": page.modules}
        if page.course_id is not None:
            env["course_id"] = page.course_id
        envelopes.append(env)
    return orjson.dumps(envelopes, default=_lean_fields)


def _lean_fields(value: Any) -> dict[str, Any]:
    """LeanRecords (from a lean read) serialise as the fields they hold."""
    if isinstance(value, LeanRecord):
        return msgspec.structs.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a step builds millions of acyclic objects.

    Each collection would walk everything built so far; parsing JSON makes no reference
    cycles, so nothing is lost by leaving them to later collections (saves ~15% of a 180 MB
    parse, and 3-5% of normalising it).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def now_utc() -> datetime:
    """The current time, tz-aware UTC."""
    return datetime.now(UTC)


def _check_size(name: str, size: int) -> None:
    if size > MAX_FILE_BYTES:
        raise SourceError(
            f"{name} is {size / 2**20:.1f} MB, over the {MAX_FILE_BYTES / 2**20:.0f} MB limit: "
            "split the export into several files (a folder of them is read as one source)"
        )


def _json_type(value: Any) -> str:
    return JSON_TYPES.get(type(value), type(value).__name__)


def _looks_like_record(item: Any) -> bool:
    return isinstance(item, dict) and "component_type" in item and "modules" not in item


def _course_id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _parse_stamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
