"""The hostile-draft corpus: rows a draft CSV may hold that cannot be sessions, each with the
reason the draft check names it with (the same whatever the source, so the unit tests and the
Plan page's tests share them)."""

from __future__ import annotations

TIME_HINT = "write 2027-01-12 09:00 (in the row's zone) or 2027-01-12T09:00:00+00:00"
DRAFT_HEADER = "training,start,end,zone,tutor_email,location,capacity"

# Rows a draft may hold that cannot be sessions, each with the reason it is named with.
BAD_ROWS = [
    (
        "Excel Basics,12/02/2027 10am,2027-02-12 12:00,Europe/Dublin,ann.byrne@example.com,7001,",
        f"start '12/02/2027 10am' is not a date and time: {TIME_HINT}",
    ),
    (
        "Excel Basics,2027-02-12 10:00,2027-02-31 12:00,Europe/Dublin,ann.byrne@example.com,7001,",
        f"end '2027-02-31 12:00' is not a date and time: {TIME_HINT}",
    ),
    (
        "Excel Basics,2027-02-12 10:00,2027-02-12 09:00,Europe/Dublin,ann.byrne@example.com,7001,",
        "it ends (2027-02-12 09:00) before it starts (2027-02-12 10:00)",
    ),
    (
        "Excel Basics,2027-02-12 10:00,2027-02-12 12:00,Mars/Olympus,ann.byrne@example.com,7001,",
        "zone 'Mars/Olympus' is not a time zone (e.g. Europe/Dublin)",
    ),
    (
        "Excel Basics,2027-02-12 10:00,2027-02-12 12:00,Europe/Dublin,Ann Byrne,7001,",
        "tutor 'Ann Byrne' is not an e-mail address",
    ),
    (
        '"=HYPERLINK(""http://evil.example"")",2027-02-12 10:00,2027-02-12 12:00,'
        "Europe/Dublin,ann.byrne@example.com,7001,",
        "its training '=HYPERLINK(\"http://evil.example\")' is a formula, not a value",
    ),
    (
        "Excel Basics,2027-02-12 10:00,2027-02-12 12:00,Europe/Dublin,@SUM(A1:A9),7001,",
        "its tutor '@SUM(A1:A9)' is a formula, not a value",
    ),
    (
        "Excel Basics,2027-02-12 10:00,2027-02-12 12:00,Europe/Dublin,ann.byrne@example.com,"
        "+cmd|' /C calc'!A0,",
        "its location '+cmd|' /C calc'!A0' is a formula, not a value",
    ),
    (
        "Excel Basics,2027-02-12 10:00,2027-02-12 12:00,Europe/Dublin,ann.byrne@example.com,"
        "7001,=1+1",
        "capacity '=1+1' is not a whole number",
    ),
    (
        "Excel Basics,2027-02-12 10:00,2027-02-12 12:00",
        "zone '' is not a time zone (e.g. Europe/Dublin)",
    ),
    (
        ",2027-02-12 10:00,2027-02-12 12:00,Europe/Dublin,ann.byrne@example.com,7001,",
        "no training",
    ),
]
BAD_IDS = [
    "unreadable-date",
    "no-such-day",
    "ends-first",
    "unknown-zone",
    "tutor-name",
    "formula-training",
    "formula-tutor",
    "formula-location",
    "formula-capacity",
    "fewer-cells",
    "no-training",
]
