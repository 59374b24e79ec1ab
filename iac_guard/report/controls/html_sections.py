"""The control report's HTML sections around the controls: what was assessed, the executive
summary, what changed since the previous report, and the appendices (credential graph and
inventory). Each is one card; every text in it is escaped."""

from __future__ import annotations

from html import escape

from .assessed import Assessed, configuration_rows, identity_rows
from .compare import Comparison
from .graph import graph_svg
from .html_parts import anchor, mono, pill, table
from .model import ComplianceReport


def assessed_section(assessed: Assessed) -> str:
    identity = table(("what", "value"), ((_breakable(k), mono(v)) for k, v in identity_rows(assessed)), css="pairs", stack=False)
    settings = table(
        ("setting", "value"), ((_breakable(k), mono(v)) for k, v in configuration_rows(assessed.configuration)), css="pairs", stack=False
    )
    weakenings = assessed.configuration.weakenings
    weakened = (
        "<p><strong>The config weakens the defaults:</strong></p><ul>"
        + "".join(f"<li>{mono(w.text)} ({escape(w.file)}:{w.line})</li>" for w in weakenings)
        + "</ul>"
        if weakenings else "<p>The config weakens none of the defaults.</p>"
    )
    return (
        '<section class="card assessed" id="assessed"><h2 class="plain">What was assessed</h2>'
        f"{identity}<h3>Configuration in force</h3>{settings}{weakened}</section>"
    )


def _breakable(name: str) -> str:
    """A setting's name that may wrap after each underscore (``max_resource_<wbr>instances``), not mid-word."""
    return escape(name).replace("_", "_<wbr>")


def executive_section(report: ComplianceReport) -> str:
    rows = (
        (f'<a href="#{anchor(f.framework.id, c.control.id)}">{mono(f.framework.id)} {mono(c.control.id)}</a>',
         escape(c.control.title), pill(c.status), escape(c.credentials_text), str(len(c.failing)))
        for f in report.frameworks for c in f.controls
    )
    most = table(
        ("credential", "owner", "failing findings", "policies"),
        ((f"{mono(t.address)}<br>{mono(f'{t.file}:{t.line}')}", escape(t.owner), str(t.failing), escape(", ".join(t.policies)))
         for t in report.executive.most_failing),
    )
    owners = table(
        ("owner", "credentials with failing findings", "failing findings"),
        ((escape(o.owner), str(o.credentials), str(o.failing)) for o in report.executive.owners),
    )
    parts = [
        '<section class="card executive" id="executive"><h2 class="plain">Executive summary</h2>',
        table(("control", "title", "status", "credentials", "failing findings"), rows),
        "<h3>Credentials with the most failing findings</h3>",
        most if report.executive.most_failing else "<p>No credential has a failing finding.</p>",
        "<h3>Owners with the most to fix</h3>",
        owners if report.executive.owners else "<p>No owner has anything to fix.</p>",
    ]
    if report.comparison is not None:
        parts.append(comparison_part(report.comparison))
    return "\n".join([*parts, "</section>"])


def comparison_part(comparison: Comparison) -> str:
    previous = comparison.previous
    named = previous.name + (f" ({previous.identity})" if previous.identity else "")
    head = f"<h3>Since the previous report</h3><p>Compared with {mono(named)}: {comparison.new} new and {comparison.fixed} fixed failing finding(s).</p>"
    if not comparison.changes:
        return head + "<p>No control changed.</p>"

    def failures(keys: tuple[tuple[str, str, str], ...]) -> str:
        return "<br>".join(f"{escape(p)} {mono(r)} {mono(f)}" for p, r, f in keys) or "none"

    rows = (
        (f"{mono(c.framework_id)} {mono(c.control_id)}",
         f'<span class="word">{pill(c.before) if c.before else "not in the previous report"} → {pill(c.after)}</span>',
         failures(c.new), failures(c.fixed))
        for c in comparison.changes
    )
    return head + table(("control", "status", "new failures", "fixed failures"), rows)


def appendix(report: ComplianceReport) -> str:
    graph = report.graph
    left_out = f"<p>{graph.left_out} more not drawn; the inventory lists every credential.</p>" if graph.left_out else ""
    picture = graph_svg(graph) if graph.nodes else "<p>No credential in scope.</p>"
    rows = (
        (mono(r.credential.address), f'<span class="word">{escape(r.credential.kind)}</span>', escape(report.owner_cell(r.credential)),
         escape(r.expiry), escape(r.rotation), escape(r.scope), escape(", ".join(r.credential.consumers) or "none"),
         mono(r.location), escape(" ".join(r.failing_policies) or "none"))
        for r in report.inventory
    )
    header = ("credential", "kind", "owner", "expiry", "rotation", "scope", "used by", "defined at", "failing")
    return "\n".join([
        '<section class="card appendix" id="graph"><h2 class="plain">Appendix A: credential graph</h2>',
        "<p>Each credential in scope, the workloads that use it and the identity it belongs to, "
        "coloured by its status over every policy. Hover a box for its owner and file.</p>",
        f'<div class="picture">{picture}</div>{left_out}</section>',
        '<section class="card appendix" id="inventory"><h2 class="plain">Appendix B: credential inventory</h2>',
        f"<p>{len(report.inventory)} credential(s) in scope.</p>",
        table(header, rows, css="inventory") if report.inventory else "",
        "</section>",
    ])
