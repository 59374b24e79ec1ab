"""Text helpers the evidence formats share (control report and inventory, in every format), so a
finding, a suppression or a table cell reads the same in Markdown, CSV, HTML and JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from ..model import Finding, Suppression


def where(finding: Finding) -> str:
    return f"{finding.file}:{finding.line}"


def suppression_text(suppression: Suppression | None) -> str:
    """``reason (until 2027-03-31, comment, owner ml-platform)``; "" without a suppression."""
    if suppression is None:
        return ""
    details = [
        f"expired {suppression.expires}" if suppression.expired else
        f"until {suppression.expires}" if suppression.expires else "no expiry",
        *([suppression.source] if suppression.source else []),
        *([f"owner {suppression.owner}"] if suppression.owner else []),
    ]
    return f"{suppression.reason} ({', '.join(details)})"


def suppression_dict(suppression: Suppression | None) -> dict[str, Any] | None:
    if suppression is None:
        return None
    return {
        "reason": suppression.reason,
        "expires": suppression.expires,
        "expired": suppression.expired,
        "source": suppression.source,
        "owner": suppression.owner,
    }


def markdown_cell(text: object) -> str:
    """One Markdown table cell: pipes escaped, line breaks folded."""
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |" for row in rows]
    return lines


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV a spreadsheet opens as it is: a header row, one record per line, RFC 4180 quoting."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def _csv_cell(cell: object) -> object:
    """Cells starting with = + - @ are formulas to a spreadsheet: quote them as text."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@"):
        return "'" + cell
    return cell
