"""The credential inventory in its four formats, all from the same rows (``inventory_rows.py``):

- ``json``: ``{"credentials": [...]}`` with typed values;
- ``csv``: every column as text, for a spreadsheet review;
- ``markdown``: a table for a review document or a pull request;
- ``table``: the terminal view (plain text when piped).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from ..support.json_text import dumps_json
from .evidence import csv_text, markdown_table
from .inventory_rows import InventoryRow

#: The columns a person reads; CSV carries every column.
SHORT_COLUMNS = ("address", "kind", "owner", "expiry", "rotation", "scope", "consumers", "location", "failing policies")


def render_json(rows: Sequence[InventoryRow], color: bool = False) -> str:
    return dumps_json({"credentials": [row.to_dict() for row in rows]})


def render_csv(rows: Sequence[InventoryRow], color: bool = False) -> str:
    header = list(rows[0].text_columns()) if rows else []
    return csv_text(header, ([row.text_columns()[name] for name in header] for row in rows))


def render_markdown(rows: Sequence[InventoryRow], color: bool = False) -> str:
    header = ("address", "kind", "AI reasons", "owner", "expiry", "rotation", "scope", "consumers", "location", "failing")
    lines = ["# Credential inventory", "", f"{_count(rows)}.", ""]
    if rows:
        lines += markdown_table(header, (_markdown_cells(row) for row in rows))
    return "\n".join(lines) + "\n"


def _markdown_cells(row: InventoryRow) -> list[str]:
    columns = row.text_columns()
    owner = f"{row.owner} ({columns['owner source']})" if columns["owner source"] else row.owner
    return [
        f"`{row.credential.address}`", columns["kind"], columns["AI reasons"], owner, columns["expiry"], columns["rotation"],
        columns["scope"], columns["consumers"], f"`{row.location}`", columns["failing policies"],
    ]


def render_table(rows: Sequence[InventoryRow], color: bool = False) -> str:
    """A terminal table; piped or written to a file, lines are as long as the content needs."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    width = None if color else 1000
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    table = Table(box=box.SIMPLE_HEAD, header_style="bold" if color else "")
    for name in SHORT_COLUMNS:
        # Only the scope explanation wraps: addresses and locations stay whole, to be searched and copied.
        table.add_column(name, no_wrap=name != "scope", min_width=30 if name == "scope" else None)
    for row in rows:
        columns = {**row.text_columns(), "location": row.location, "consumers": "\n".join(row.credential.consumers)}
        table.add_row(*(columns[name] for name in SHORT_COLUMNS))
    if rows:
        console.print(table)
    console.print(f"{_count(rows)}.")
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _count(rows: Sequence[InventoryRow]) -> str:
    ai = sum(1 for row in rows if row.credential.ai_reasons)
    return f"{len(rows)} credential(s), {ai} of them AI credential(s)"


RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv, "markdown": render_markdown}
