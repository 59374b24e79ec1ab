"""The credential graph of a control report: which workloads use each credential, and which
identity a secret belongs to (an access key and its user), coloured by each credential's status,
so a reviewer sees sharing at a glance.

The graph is computed here from the inventory; ``graph_svg`` draws it as inline SVG with a fixed
layout (no script, no font to fetch): parent identities on the left, credentials in the middle
sorted by address, workloads on the right in the order of the credentials they use. The same scan
draws the same picture, byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape

from ...model import Credential
from .executive import CredentialKey

#: Nodes drawn per column; past it the graph says how many were left out.
MAX_PER_COLUMN = 60
COLUMNS = ("parent identity", "credential", "workload")
COLORS = {"failing": "#c62828", "passing": "#2e7d32", "not-assessed": "#8a8a8a", "workload": "#1565c0"}
TINTS = {"failing": "#fdecea", "passing": "#e8f5e9", "not-assessed": "#f2f2f2", "workload": "#e3f2fd"}
LABELS = {"failing": "failing", "passing": "passing", "not-assessed": "not assessed", "workload": "workload"}
ROW, NODE_HEIGHT, NODE_WIDTH, GAP, TOP = 30, 22, 300, 110, 54
LABEL_CHARACTERS = 38


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    column: int  # index into COLUMNS
    status: str  # a control status, or "workload"
    detail: str  # the tooltip: what it is, its owner, where it is defined
    uses: int = 0  # for a credential: how many workloads use it


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    shared: bool  # a credential more than one workload uses


@dataclass(frozen=True)
class CredentialGraph:
    nodes: tuple[Node, ...]  # in drawing order, column by column
    edges: tuple[Edge, ...]
    left_out: int  # nodes not drawn (MAX_PER_COLUMN)


def credential_graph(
    credentials: Sequence[Credential], all_credentials: Sequence[Credential], statuses: Mapping[CredentialKey, str],
    owners: Mapping[CredentialKey, str],
) -> CredentialGraph:
    """``credentials``: those in scope; ``all_credentials``: the whole inventory, where a parent
    identity out of scope is found; ``statuses``: each judged credential's status; ``owners``: each
    one's owner in words. A credential that is another's parent is drawn once, on the left."""
    ids = {(c.address, c.location): f"c{index}" for index, c in enumerate(all_credentials)}
    by_address = {(c.root_module, c.address): c for c in all_credentials}
    parent_of = {ids[(c.address, c.location)]: by_address.get((c.root_module, c.parent or "")) for c in credentials}
    parents = {ids[(p.address, p.location)]: p for p in parent_of.values() if p is not None}
    ordered = sorted(credentials, key=lambda c: (c.address, c.location.file, c.location.line))
    middle = [c for c in ordered if ids[(c.address, c.location)] not in parents][:MAX_PER_COLUMN]
    left = sorted(parents.values(), key=lambda p: (p.address, p.location.file, p.location.line))[:MAX_PER_COLUMN]
    drawn = [*left, *middle]
    shown = {ids[(c.address, c.location)] for c in drawn}
    workloads = _ordered(left, middle)
    edges = [
        Edge(ids[(c.address, c.location)], ids[(p.address, p.location)], False)
        for c in middle if (p := parent_of[ids[(c.address, c.location)]]) is not None and ids[(p.address, p.location)] in shown
    ]
    edges += [Edge(ids[(c.address, c.location)], f"w:{w}", len(c.consumers) > 1) for c in drawn for w in c.consumers if f"w:{w}" in workloads]

    def node(credential: Credential, column: int) -> Node:
        key = (credential.address, credential.location)
        status = statuses.get(key, "not-assessed")
        where = f"{credential.location.file}:{credential.location.line}"
        detail = f"{credential.kind} {credential.address} ({LABELS[status]}); owner {owners.get(key, '')}; {where}"
        return Node(ids[key], credential.address, column, status, detail, len(credential.consumers))

    nodes = [node(p, 0) for p in left] + [node(c, 1) for c in middle] + [Node(w, w[2:], 2, "workload", f"workload {w[2:]}") for w in workloads]
    used = {w for c in drawn for w in c.consumers}
    total = len(set(parent_of) | set(parents))
    return CredentialGraph(tuple(nodes), tuple(edges), total - len(drawn) + len(used) - len(workloads))


def _ordered(left: Sequence[Credential], middle: Sequence[Credential]) -> list[str]:
    """Workloads in the order of the mean row of the credentials they use (fewer crossings), then by name."""
    positions: dict[str, list[int]] = {}
    for column in (left, middle):
        for index, credential in enumerate(column):
            for workload in credential.consumers:
                positions.setdefault(f"w:{workload}", []).append(index)
    return sorted(positions, key=lambda w: (sum(positions[w]) / len(positions[w]), w))[:MAX_PER_COLUMN]


def graph_svg(graph: CredentialGraph) -> str:
    """The graph as one inline ``<svg>`` that scales to its container's width."""
    columns = sorted({n.column for n in graph.nodes})
    x_of = {column: index * (NODE_WIDTH + GAP) for index, column in enumerate(columns)}
    rows: dict[int, int] = {}
    place: dict[str, tuple[float, float]] = {}
    for node in graph.nodes:
        row = rows.get(node.column, 0)
        rows[node.column] = row + 1
        place[node.id] = (x_of[node.column], TOP + row * ROW)
    width = max(len(columns), 1) * (NODE_WIDTH + GAP) - GAP + 40
    height = TOP + max(rows.values(), default=0) * ROW + 10
    shared = sum(1 for n in graph.nodes if n.uses > 1)
    label = f"Credential graph: {sum(1 for n in graph.nodes if n.column == 1)} credentials, {rows.get(2, 0)} workloads, {shared} shared"
    parts = [
        f'<svg class="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}">',
        f"<title>{escape(label)}</title>",
        *_legend(),
        *(f'<text x="{x_of[c]}" y="{TOP - 8}" class="axis">{COLUMNS[c]}</text>' for c in columns),
        *(_edge(edge, place) for edge in graph.edges if edge.source in place and edge.target in place),
        *(_drawn(node, place[node.id]) for node in graph.nodes),
        "</svg>",
    ]
    return "\n".join(parts)


def _legend() -> list[str]:
    parts = []
    for index, status in enumerate(COLORS):
        x = index * 150
        parts.append(f'<rect x="{x}" y="4" width="14" height="14" rx="3" fill="{COLORS[status]}"/>')
        parts.append(f'<text x="{x + 20}" y="16" class="count">{LABELS[status]}</text>')
    parts.append('<text x="600" y="16" class="count">thick line: a credential shared by several workloads</text>')
    return parts


def _edge(edge: Edge, place: Mapping[str, tuple[float, float]]) -> str:
    (sx, sy), (tx, ty) = place[edge.source], place[edge.target]
    middle = NODE_HEIGHT / 2
    if tx < sx:  # to a parent identity, leftwards: from the credential's left side
        start, end = (sx, sy + middle), (tx + NODE_WIDTH, ty + middle)
    else:
        start, end = (sx + NODE_WIDTH, sy + middle), (tx, ty + middle)
    bend = (end[0] - start[0]) / 2
    style = 'stroke="#263238" stroke-width="3"' if edge.shared else 'stroke="#777" stroke-width="1.4"'
    return (
        f'<path d="M{start[0]:g},{start[1]:g} C{start[0] + bend:g},{start[1]:g} {end[0] - bend:g},{end[1]:g} {end[0]:g},{end[1]:g}" '
        f'fill="none" {style}/>'
    )


def _drawn(node: Node, at: tuple[float, float]) -> str:
    x, y = at
    text = node.label if len(node.label) <= LABEL_CHARACTERS else node.label[: LABEL_CHARACTERS - 1] + "…"
    badge = f'<text x="{x + NODE_WIDTH - 6:g}" y="{y + 15:g}" class="count" text-anchor="end">×{node.uses}</text>' if node.uses > 1 else ""
    return (
        f'<g><title>{escape(node.detail)}</title>'
        f'<rect x="{x:g}" y="{y:g}" width="{NODE_WIDTH}" height="{NODE_HEIGHT}" rx="4" fill="{TINTS[node.status]}" stroke="#bbb"/>'
        f'<rect x="{x:g}" y="{y:g}" width="6" height="{NODE_HEIGHT}" fill="{COLORS[node.status]}"/>'
        f'<text x="{x + 12:g}" y="{y + 15:g}" class="node">{escape(text)}</text>{badge}</g>'
    )
