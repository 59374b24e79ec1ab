"""What the composite action (action.yml) cannot do safely in bash: split its `paths` and
`extra-args` inputs as a shell would (quotes kept together, nothing expanded or run), and turn the
scan's JSON report into step outputs.

    python support.py split "infra/prod 'modules/my module'"   # NUL-separated words on stdout
    python support.py outputs report.json                       # name=value lines for $GITHUB_OUTPUT

Standard library only: it runs before and beside iac-guard, with whatever Python setup-python gave.
"""

from __future__ import annotations

import json
import shlex
import sys


def split(text: str) -> str:
    """Each word followed by NUL, for `mapfile -d ''`; a quote left open is an error, not a guess."""
    return "".join(f"{word}\0" for word in shlex.split(text, comments=False, posix=True))


def outputs(report_path: str) -> str:
    """The counts a workflow branches on: failing, suppressed and (with a baseline) new findings."""
    with open(report_path, encoding="utf-8") as handle:
        document = json.load(handle)
    summary = document["summary"]
    baseline = document.get("baseline") or {}
    counts = {"failing": summary["failing"], "suppressed": summary["suppressed"], "new": baseline.get("new", summary["failing"])}
    return "".join(f"{name}={int(value)}\n" for name, value in counts.items())


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("split", "outputs"):
        print("usage: support.py split TEXT | support.py outputs REPORT.json", file=sys.stderr)
        return 2
    try:
        sys.stdout.write(split(argv[2]) if argv[1] == "split" else outputs(argv[2]))
    except ValueError as exc:  # an unclosed quote, a report that is not JSON
        print(f"iac-guard action: cannot read {'the input' if argv[1] == 'split' else argv[2]}: {exc}", file=sys.stderr)
        return 2
    except (OSError, KeyError, TypeError) as exc:
        print(f"iac-guard action: {argv[2]} is not an iac-guard JSON report ({type(exc).__name__})", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
