"""The data-quality report: every input record accounted for, with reasons a coordinator reads."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from lu_data.model.schema import (
    REJECTED_DTYPES,
    WARNING_DTYPES,
    WARNING_TEXT,
    FrameSchema,
    empty_frame,
    enforce_dtypes,
)

# What a warning row adds about its session, so a coordinator can find it in LearnUpon.


@dataclass
class QualityReport:
    """Counts and rows explaining what happened to each input record."""

    input_records: int = 0
    sessions: int = 0
    duplicates_merged: int = 0
    skipped_non_ilt: int = 0
    skipped_types: dict[str, int] = field(default_factory=dict)
    rejected: pd.DataFrame = field(default_factory=lambda: empty_frame(REJECTED_DTYPES))
    warnings: pd.DataFrame = field(default_factory=lambda: empty_frame(WARNING_DTYPES))

    @property
    def rejected_count(self) -> int:
        """Number of records that could not become sessions."""
        return len(self.rejected)

    @property
    def balanced(self) -> bool:
        """True when input = sessions + merged + skipped + rejected."""
        return self.input_records == (
            self.sessions + self.duplicates_merged + self.skipped_non_ilt + self.rejected_count
        )

    def warning_counts(self) -> pd.DataFrame:
        """One row per warning code: what it means and how many sessions it touches."""
        if self.warnings.empty:
            return pd.DataFrame({"code": [], "meaning": [], "count": []}).astype(
                {"code": "str", "meaning": "str", "count": "int64"}
            )
        counts = self.warnings["code"].value_counts().rename_axis("code").reset_index()
        counts["meaning"] = counts["code"].map(WARNING_TEXT).fillna(counts["code"])
        return counts[["code", "meaning", "count"]]

    def summary_rows(self) -> pd.DataFrame:
        """The accounting identity as a small table."""
        rows = [
            ("Input records", self.input_records),
            ("Sessions", self.sessions),
            ("Duplicates merged", self.duplicates_merged),
            ("Skipped (not ILT)", self.skipped_non_ilt),
            ("Rejected", self.rejected_count),
            ("Warnings", len(self.warnings)),
        ]
        return pd.DataFrame(rows, columns=["measure", "count"])

    def to_dict(self, warnings: pd.DataFrame | None = None) -> dict[str, Any]:
        """A JSON-ready dict; the contract behind `lu-data check --json`.

        `warnings` replaces the report's own, e.g. with each session named
        (lu_data.presentation.session_text.warning_sessions); the other keys stay as they are.
        """
        warnings = self.warnings if warnings is None else warnings
        return {
            "input_records": self.input_records,
            "sessions": self.sessions,
            "duplicates_merged": self.duplicates_merged,
            "skipped_non_ilt": self.skipped_non_ilt,
            "skipped_types": dict(self.skipped_types),
            "balanced": self.balanced,
            "rejected": _records(self.rejected),
            "warnings": _records(warnings),
            "warning_counts": {
                str(code): int(count)
                for code, count in self.warning_counts()[["code", "count"]].itertuples(index=False)
            },
        }

    def identity_text(self) -> str:
        """The accounting identity in words: "N input records = N sessions + ... rejected"."""
        return (
            f"{self.input_records:,} input records = {self.sessions:,} sessions + "
            f"{self.duplicates_merged:,} duplicates merged + {self.skipped_non_ilt:,} skipped "
            f"(not ILT) + {self.rejected_count:,} rejected"
        )

    def summary_text(self) -> str:
        """One line a person reads: the accounting identity and the number of warnings."""
        return f"{self.identity_text()}; {len(self.warnings):,} warnings"

    def check_text(self) -> str:
        """The report as `lu-data check` prints it: the summary, then one line per finding."""
        lines = [self.summary_text()]
        if self.skipped_types:
            kinds = ", ".join(f"{k}: {v}" for k, v in sorted(self.skipped_types.items()))
            lines.append(f"Skipped module types: {kinds}")
        lines += [
            f"rejected  record {row.record} ({row.where}): {row.reason}"
            for row in self.rejected.itertuples()
        ]
        lines += [
            f"warning   {row.count} x {row.meaning}" for row in self.warning_counts().itertuples()
        ]
        return "\n".join(lines) + "\n"

    def to_json(self, warnings: pd.DataFrame | None = None) -> str:
        """The report as JSON text, ending in a newline: `lu-data check --json` and the download."""
        out = self.to_dict(warnings)
        return json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n"


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    out = df.astype(object).where(df.notna(), None)
    return [
        {
            str(k): (int(v) if hasattr(v, "__int__") and not isinstance(v, str) else v)
            for k, v in r.items()
        }
        for r in out.to_dict(orient="records")
    ]


def combine_reports(reports: Sequence[QualityReport]) -> QualityReport:
    """One report for several portals' loads: counts summed, rejected and warning rows stacked."""
    if len(reports) == 1:
        return reports[0]
    skipped: Counter[str] = Counter()
    for report in reports:
        skipped.update(report.skipped_types)
    return QualityReport(
        input_records=sum(r.input_records for r in reports),
        sessions=sum(r.sessions for r in reports),
        duplicates_merged=sum(r.duplicates_merged for r in reports),
        skipped_non_ilt=sum(r.skipped_non_ilt for r in reports),
        skipped_types=dict(sorted(skipped.items())),
        rejected=_stacked([r.rejected for r in reports], REJECTED_DTYPES),
        warnings=_stacked([r.warnings for r in reports], WARNING_DTYPES),
    )


def _stacked(frames: list[pd.DataFrame], dtypes: FrameSchema) -> pd.DataFrame:
    """Frames one under another in their declared dtypes (empty ones add nothing)."""
    rows = [f for f in frames if not f.empty]
    if not rows:
        return empty_frame(dtypes)
    return enforce_dtypes(pd.concat(rows, ignore_index=True), dtypes)
