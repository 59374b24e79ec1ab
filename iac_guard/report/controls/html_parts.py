"""Small HTML pieces the control report's sections share: tables that stack on a phone, status
pills, anchors, and the Markdown subset policy texts use (``code``, **bold**, paragraphs).

Every text is escaped here or by the caller before it is placed; a cell given to ``table`` is
HTML already (callers escape what they put in it).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape

from .model import STATUS_LABELS


def table(header: Sequence[str], rows: Iterable[Sequence[str]], css: str = "", row_css: str = "", stack: bool = True) -> str:
    """A table whose cells carry their column's name, so a narrow screen shows each row as a
    stacked card (``data-label``) instead of overflowing; ``stack=False`` for two narrow columns."""
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    opening = f'<tr class="{row_css}">' if row_css else "<tr>"
    body = "".join(
        opening
        + "".join(f'<td data-label="{escape(name)}">{cell}</td>' for name, cell in zip(header, row, strict=True))
        + "</tr>"
        for row in rows
    )
    classes = " ".join(name for name in ("stack" if stack else "", css) if name)
    return f'<table class="{classes}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def pill(status: str) -> str:
    return f'<span class="pill {status}">{STATUS_LABELS[status]}</span>'


def anchor(*parts: str) -> str:
    return "-".join(re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-").lower() for part in parts)


def inline_code(text: str) -> str:
    """Escaped text with Markdown-style `code` spans as <code> and **bold** as <strong>."""
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))
    return re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", escaped)


def mono(text: str) -> str:
    return f'<span class="mono">{escape(text)}</span>'


def paragraphs(markdown: str) -> str:
    """A policy's remediation (Markdown) as paragraphs; its "## How to fix" heading is dropped
    (the report names the section), other headings become bold lines."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", markdown) if block.strip()]
    parts = []
    for block in blocks:
        if block.lower().startswith("## how to fix"):
            block = block.split("\n", 1)[1].strip() if "\n" in block else ""
        if block:
            parts.append(f"<p>{inline_code(re.sub(r'^#+ *', '', ' '.join(block.split())))}</p>")
    return "".join(parts)
