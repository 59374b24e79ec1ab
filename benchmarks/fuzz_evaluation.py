"""Fuzzes the Terraform evaluator with mutated *evaluable* files (not only parse errors).

    python benchmarks/fuzz_evaluation.py --minutes 5 [--seed 1]

Each run writes a root module whose locals are random expressions built from Terraform's
operators, numbers, functions, nested calls, multiplied ranges and locals that repeat earlier
ones, beside a file that must always fail (tests/untrusted_support.FAILING_TF), and scans it in a
child process under RLIMIT_AS and a wall clock. A run fails when the scan crashes (a traceback,
"internal error", an exit code other than 1 or 2), times out, or loses the failing file's
findings. It prints the run count, the share of runs whose generated file parsed (so reached
evaluation) and every failure with the file that caused it. The test suite runs the same
generator in-process for a few seconds (tests/test_untrusted_budget.py).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from untrusted_support import FAILING_FINDINGS, FAILING_TF, scan_json, write_tree  # noqa: E402

NUMBERS = ["0", "1", "2", "7", "64", "1000", "65536", "99999999999", "1000000000", "-1", "3.5", "1e308"]
STRINGS = ['"a"', '"ab"', '"aaaaaaaaaaaaaaaaaaaaaaaa!"', '"x,y,z"', '"%0999999999d"', '"$1$1"', '"/(a+)+$/"', '"/(/"', '""']
OPERATORS = ["+", "-", "*", "/", "%"]
COMPARISONS = ["==", "!=", "<", ">", "&&", "||"]
#: Calls by the kind of value they give, with holes: {s} string, {n} number, {a} list, {m} map, {x} any.
CALLS = {
    "s": ['join(",", {a})', "jsonencode({x})", 'replace({s}, {s}, {s})', 'replace({s}, "/(a|b)/", "$1$1$1")', "format({s}, {n})",
          'format("%0{n}d", {n})', "upper({s})", "tostring({n})", "substr({s}, 0, {n})", 'regex("(a+)", {s})[0]', "trimspace({s})",
          'lookup({m}, "k", {s})', "coalesce({s}, {s})", "element({a}, {n})", '"${{{s}}}${{{s}}}"', "title({s})"],
    "n": ["length({a})", "length({s})", "{n} {op} {n}", "max({n}, {n})", "abs({n})", "tonumber({s})", "length(regexall({s}, {s}))"],
    "a": ["range({n})", "concat({a}, {a})", "flatten([{a}, {a}])", "distinct({a})", "toset({a})", "sort({a})", "reverse({a})",
          'split(",", {s})', "slice({a}, 0, {n})", "keys({m})", "values({m})", "[{x}, {x}]", "[for i in {a} : {x}]",
          "[for i in range({n}) : [for j in range({n}) : i * j]]", 'regexall("a*", {s})', "compact({a})"],
    "m": ["{{k = {x}, v = {x}}}", "merge({m}, {m})", "{{for i in {a} : tostring(i) => {x}}}", "zipmap({a}, {a})", "tomap({m})"],
}
KINDS = "snam"


class Generator:
    """Random valid-looking Terraform, mostly well-typed, so that most of it is evaluated."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.locals = 0

    def expression(self, kind: str, depth: int) -> str:
        rng = self.rng
        if self.locals and rng.random() < 0.3:
            return f"local.v{rng.randrange(self.locals)}"  # repeat an earlier local, of any kind
        if depth <= 0 or rng.random() < 0.2:
            return self._leaf(kind)
        if rng.random() < 0.1:
            return f"{self.expression('n', depth - 1)} {rng.choice(COMPARISONS)} {self.expression('n', depth - 1)} ? {self.expression(kind, depth - 1)} : {self.expression(kind, depth - 1)}"
        if rng.random() < 0.1:
            return f"try({self.expression(kind, depth - 1)}, {self._leaf(kind)})"
        template = rng.choice(CALLS[kind])
        return template.format(
            s=_Hole(self, "s", depth), n=_Hole(self, "n", depth), a=_Hole(self, "a", depth),
            m=_Hole(self, "m", depth), x=_Hole(self, rng.choice(KINDS), depth), op=rng.choice(OPERATORS),
        )

    def _leaf(self, kind: str) -> str:
        rng = self.rng
        return {
            "s": lambda: rng.choice(STRINGS), "n": lambda: rng.choice(NUMBERS),
            "a": lambda: f"[{rng.choice(NUMBERS)}, {rng.choice(STRINGS)}]", "m": lambda: f"{{k = {rng.choice(STRINGS)}}}",
        }[kind]()

    def file(self) -> str:
        lines = []
        for index in range(self.rng.randint(2, 14)):
            lines.append(f"  v{index} = {self.expression(self.rng.choice(KINDS), self.rng.randint(1, 5))}")
            self.locals = index + 1
        text = "locals {\n" + "\n".join(lines) + "\n}\n"
        text += f'resource "aws_iam_user" "fuzz" {{\n  name = local.v{self.locals - 1}\n  tags = {{ owner = local.v0 }}\n}}\n'
        text = self._swap(text)
        if self.rng.random() < 0.1:  # sometimes a byte-level slip, so parse errors are covered too
            position = self.rng.randrange(len(text))
            text = text[:position] + text[position + 1:]
        return text


    def _swap(self, text: str) -> str:
        """Mutations that ignore types: a function name for another, an operator for another."""
        rng = self.rng
        for _ in range(rng.randint(0, 3)):
            names = _FUNCTION_NAME.findall(text)
            if names and rng.random() < 0.5:
                text = text.replace(f"{rng.choice(names)}(", f"{rng.choice(FUNCTION_NAMES)}(", 1)
            elif f" {(operator := rng.choice(OPERATORS))} " in text:
                text = text.replace(f" {operator} ", f" {rng.choice(OPERATORS + COMPARISONS)} ", 1)
        return text


FUNCTION_NAMES = sorted({name for templates in CALLS.values() for t in templates for name in re.findall(r"([a-z]+)\(", t)})
_FUNCTION_NAME = re.compile(r"\b([a-z]+)\(")


class _Hole:
    """A hole in a call template, filled with a fresh expression each time it is formatted."""

    def __init__(self, generator: Generator, kind: str, depth: int) -> None:
        self.generator, self.kind, self.depth = generator, kind, depth

    def __format__(self, spec: str) -> str:
        return self.generator.expression(self.kind, self.depth - 1)


def generate(rng: random.Random) -> str:
    return Generator(rng).file()


def parses(text: str) -> bool:
    from iac_guard.model import ScanError
    from iac_guard.terraform.syntax.parse import parse_text

    return not isinstance(parse_text(text, "fuzz.tf"), ScanError)


def run_once(text: str, folder: Path) -> str | None:
    """The failure a scan of this file shows, or None."""
    write_tree(folder, {"fuzz/main.tf": text, "secret/main.tf": FAILING_TF})
    try:
        run = scan_json(folder, wall_seconds=20)
    except AssertionError as exc:
        return str(exc)
    if "Traceback" in run.stderr or "internal error" in run.stderr:
        return run.stderr.strip().splitlines()[-1]
    if run.exit_code not in (1, 2):
        return f"exit code {run.exit_code}"
    if not FAILING_FINDINGS <= run.findings():
        return "the failing file's findings were lost"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    deadline = time.monotonic() + options.minutes * 60
    runs = parsed = 0
    failures: list[tuple[str, str]] = []
    slowest = 0.0
    with tempfile.TemporaryDirectory() as scratch:
        while time.monotonic() < deadline:
            text = generate(rng)
            started = time.monotonic()
            failure = run_once(text, Path(scratch) / str(runs))
            slowest = max(slowest, time.monotonic() - started)
            runs += 1
            parsed += parses(text)
            if failure is not None:
                failures.append((failure, text))
    print(f"runs: {runs}")
    print(f"reached evaluation (parsed): {parsed} ({parsed / max(runs, 1):.0%})")
    print(f"slowest run: {slowest:.1f} s")
    print(f"failures: {len(failures)}")
    for failure, text in failures:
        print(f"--- {failure}\n{text}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
