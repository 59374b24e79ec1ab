"""Policy documentation in the shape of ruff's rule pages, rendered from the policy files:
``iac-guard policies explain ID`` prints one page, ``iac-guard policies docs`` writes them all
(docs/policies.md) with the control mappings of every framework catalog.

What it does / Why is this bad? come from the policy's ``description``; Example and Use instead
from its bad and good examples; How to fix from ``remediation``; Options from the params that
read a setting; Controls from ``controls`` with the titles of the catalogs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .. import HOMEPAGE
from ..config.settings import Settings
from .conditions import fields_read
from .fact_types import reference_section, table_row, walk
from .facts import display
from .loader import Policy, builtin_policy_dir

if TYPE_CHECKING:
    from .frameworks import Framework

FENCES = {"terraform": "hcl", "kubernetes": "yaml", "github-actions": "yaml"}
DOCS_COMMAND = "iac-guard policies docs -o docs/policies.md"
#: The published policy reference the built-in pack's pages are read at.
REFERENCE_URL = f"{HOMEPAGE}/blob/main/docs/policies.md"


def policy_page(policy: Policy, frameworks: Mapping[str, Framework], level: int = 1) -> str:
    """One policy as Markdown, its title at heading ``level``."""
    h = "#" * level
    judges = "suppressions" if policy.judges == "suppressions" else "credentials"
    severity = f"**{policy.severity}**" + (f" (or each finding's `{policy.severity_from}`)" if policy.severity_from else "")
    lines = [
        f"{h} {policy.id}: {policy.title}",
        "",
        f"Category `{policy.category}` · severity {severity} · judges {judges} · "
        f"defined in `{source_name(policy.source)}`",
        "",
        _shift(policy.description, level - 1),
        "",
    ]
    for title, verdict in (("Example", "bad"), ("Use instead", "good")):
        examples = [e for e in policy.examples if e.verdict == verdict]
        if examples:
            lines += [f"{h}# {title}", ""]
            for example in examples:
                lines += [f"```{FENCES.get(example.language, '')}", example.code.rstrip(), "```", ""]
    lines += [_shift(policy.remediation, level - 1), ""]
    lines += _condition_lines(policy, h)
    options = [(name, param.setting) for name, param in policy.params.items() if param.setting]
    if options:
        lines += [f"{h}# Options", ""]
        lines += [
            f"- `{setting}` in `.iac-guard.yaml` (default: {display(getattr(Settings(), setting))})"
            for _, setting in options
        ]
        lines.append("")
    if policy.controls:
        lines += [f"{h}# Controls", ""] + [_controls_line(fid, ids, frameworks) for fid, ids in sorted(policy.controls.items())] + [""]
    if policy.references:
        lines += [f"{h}# References", ""] + [f"- <{url}>" for url in policy.references] + [""]
    return "\n".join(lines).rstrip() + "\n"


def _condition_lines(policy: Policy, h: str) -> list[str]:
    """The condition as written, and the type and meaning of each fact it reads."""
    if policy.fails_when is None or not policy.condition_source:
        return []
    names = {"item": f"{policy.for_each}[]"} if policy.for_each else {}
    facts = dict(walk())
    read = [path for path in fields_read(policy.fails_when, names) if path in facts]
    lines = [f"{h}# Fails when", ""]
    if policy.for_each:
        lines += [f"For each element `item` of `{policy.for_each}`:", ""]
    lines += ["```yaml", policy.condition_source.rstrip(), "```", "", "| fact | type | meaning |", "| --- | --- | --- |"]
    lines += [table_row(path, facts[path]) for path in read]
    return lines + [""]


def _controls_line(framework_id: str, control_ids: Sequence[str], frameworks: Mapping[str, Framework]) -> str:
    framework = frameworks.get(framework_id)
    if framework is None:
        return f"- `{framework_id}`: {', '.join(control_ids)}"
    named = [f"{cid} {c.title}" if (c := framework.control(cid)) else cid for cid in control_ids]
    return f"- {framework.title} (`{framework_id}`): {'; '.join(named)}"


def reference_page(policies: Sequence[Policy], frameworks: Mapping[str, Framework]) -> str:
    """docs/policies.md: an index, every policy's page, and each framework's control mapping."""
    lines = [
        "# Policy reference",
        "",
        f"<!-- Generated from the policy files by `{DOCS_COMMAND}`. Do not edit: change the policy",
        "     YAML (policies/) or the control catalogs (policies/frameworks/) and regenerate. -->",
        "",
        f"{len(policies)} policies. `iac-guard policies explain ID` prints one of these pages in the terminal.",
        "",
        "| id | category | severity | title | controls |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| [{p.id}](#{anchor(p)}) | `{p.category}` | {p.severity} | {p.title} | {_control_ids(p)} |" for p in policies
    ]
    lines.append("")
    for policy in policies:
        lines += [policy_page(policy, frameworks, level=2)]
    lines += [
        "## Control mappings",
        "",
        "Which policies give evidence for each control of each framework catalog (policies/frameworks/),",
        "and what static analysis of the code cannot show about it. A control no policy maps to is",
        "reported as *not assessed*.",
        "",
    ]
    for framework in frameworks.values():
        lines += _mapping(framework, policies)
    lines += reference_section(level=2)
    return "\n".join(lines).rstrip() + "\n"


def _mapping(framework: Framework, policies: Sequence[Policy]) -> list[str]:
    lines = [
        f"### {framework.title} (`{framework.id}`)",
        "",
        f"Source: [{framework.document}]({framework.document_url}). {framework.coverage}",
        "",
        "| control | title | policies | what static analysis cannot show |",
        "|---|---|---|---|",
    ]
    for control in framework.controls:
        mapped = [p.id for p in policies if control.id in p.controls.get(framework.id, ())]
        lines.append(
            f"| [{control.id}]({control.url}) | {control.title} | {', '.join(mapped) or 'none (not assessed)'} | "
            f"{' '.join(control.cannot_show.split())} |"
        )
    return lines + [""]


def _control_ids(policy: Policy) -> str:
    return "; ".join(f"{fid}: {', '.join(ids)}" for fid, ids in sorted(policy.controls.items()))


def anchor(policy: Policy) -> str:
    """GitHub's anchor for the heading ``## IAG001: Title``."""
    return re.sub(r"[^a-z0-9 -]", "", f"{policy.id}: {policy.title}".lower()).replace(" ", "-")


def help_url(policy: Policy) -> str | None:
    """Where a reader learns about one policy: a built-in policy's own section of the published
    reference; a policy of the user's pack, its first reference (its docs are not ours to link)."""
    if builtin_policy_dir().resolve() in policy.source.resolve().parents:
        return f"{REFERENCE_URL}#{anchor(policy)}"
    return policy.references[0] if policy.references else None


def _shift(markdown: str, by: int) -> str:
    """Headings moved ``by`` levels down (outside code blocks), to nest a policy's sections."""
    if by <= 0:
        return markdown.strip()
    lines, fenced = [], False
    for line in markdown.strip().splitlines():
        fenced ^= line.lstrip().startswith("```")
        lines.append("#" * by + line if not fenced and re.match(r"#{1,5} ", line) else line)
    return "\n".join(lines)


def source_name(path: Path) -> str:
    """A built-in policy as ``policies/ai-credentials/…`` wherever the pack is installed."""
    try:
        return "policies/" + path.relative_to(builtin_policy_dir()).as_posix()
    except ValueError:
        return path.as_posix()
