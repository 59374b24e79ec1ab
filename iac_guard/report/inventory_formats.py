"""The credential inventory in its four formats, all from the same rows (``inventory_rows.py``):

- ``json``: ``{"credentials": [...]}`` with typed values;
- ``csv``: every column as text, for a spreadsheet review;
- ``markdown``: a table for a review document or a pull request;
- ``table``: the terminal view (plain text when piped): a table when it fits the width, else one
  stacked block per credential, so owner, expiry, rotation and scope never fall off the screen.
"""

from __future__ import annotations

import io
import textwrap
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


def render_table(rows: Sequence[InventoryRow], color: bool = False, width: int | None = None) -> str:
    """A terminal view ``width`` columns wide (None: as wide as the content needs, for a pipe or
    a file): the table when it fits, else each credential stacked (``_stacked``)."""
    natural = _table(rows, False, None)  # measured without colour: escape codes take no columns
    if width is not None and _widest(natural) > width:
        return _stacked(rows, color, width)
    return natural if width is None and not color else _table(rows, color, width)


def _widest(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def _table(rows: Sequence[InventoryRow], color: bool, width: int | None) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width or 1000, highlight=False)
    table = Table(box=box.SIMPLE_HEAD, header_style="bold" if color else "")
    for name in SHORT_COLUMNS:
        # Only the scope explanation wraps: addresses and locations stay whole, to be searched and copied.
        table.add_column(name, no_wrap=name != "scope", min_width=30 if name == "scope" else None)
    for row in rows:
        table.add_row(*(_short_columns(row)[name] for name in SHORT_COLUMNS))
    if rows:
        console.print(table)
    console.print(f"{_count(rows)}.")
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


def _short_columns(row: InventoryRow) -> dict[str, str]:
    return {**row.text_columns(), "location": row.location, "consumers": "\n".join(row.credential.consumers)}


#: Labels of the stacked view, in the table's order; "failing policies" shortened to fit beside.
_STACK_LABELS = {name: "failing" if name == "failing policies" else name for name in SHORT_COLUMNS if name != "address"}
_STACK_INDENT = 2 + max(len(label) for label in _STACK_LABELS.values()) + 2


def _stacked(rows: Sequence[InventoryRow], color: bool, width: int) -> str:
    """One block per credential: its address, then a ``label  value`` line per column, values
    wrapped (addresses and paths broken only when longer than the line), so no line is wider
    than ``width`` and no column is dropped."""
    bold = ("\x1b[1m", "\x1b[0m") if color else ("", "")
    room = max(width - _STACK_INDENT, 16)
    lines: list[str] = []
    for row in rows:
        columns = _short_columns(row)
        lines += [f"{bold[0]}{part}{bold[1]}" for part in _wrap(columns["address"], width)]
        for name, label in _STACK_LABELS.items():
            values = [part for value in (columns[name] or "none").split("\n") for part in _wrap(value, room)]
            lines += [f"  {label if n == 0 else '':<{_STACK_INDENT - 4}}  {part}" for n, part in enumerate(values)]
        lines.append("")
    lines += textwrap.wrap(f"{_count(rows)}.", width)
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, max(width, 1), break_long_words=True, break_on_hyphens=False) or [""]


def _count(rows: Sequence[InventoryRow]) -> str:
    ai = sum(1 for row in rows if row.credential.ai_reasons)
    return f"{len(rows)} credential(s), {ai} of them AI credential(s)"


RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv, "markdown": render_markdown}
