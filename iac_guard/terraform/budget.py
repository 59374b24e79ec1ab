"""The evaluation budget of one root module: what a hostile expression may cost the scan.

The scan evaluates expressions a pull request wrote, and a few bytes of HCL can describe a value of
any size (forty locals each doubling a string is a terabyte) or any amount of work (nested ``for``
over ``range``). Terraform would run out of memory too; a required check must not. Every root
module therefore gets one budget, shared by the modules it calls: each evaluated node costs a step,
each value built costs its size in steps (a regular-expression match costs MATCH_STEPS), and no value may exceed a ceiling on string length,
element count (nested collections counted in full, so a value built from shared halves is as large
as it reads) or integer bits. Sizes are checked where values are built, before the expensive part
where the size can be known in advance (``range``, ``format`` widths, joins, replacements).

Going over the budget makes the value unknown — never a truncated, wrong known value — and is
reported as an error for the file, so the gate fails closed instead of judging what it could not
evaluate. The ceilings are far above what real Terraform computes (see README, "Input limits").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..model import ScanError

if TYPE_CHECKING:
    from .syntax.parse import TerraformFile

#: Characters in one string: four times what ``file()`` reads (1 MiB).
MAX_STRING_LENGTH = 1 << 22
#: Elements in one value, nested collections counted in full (a list of 1,000 objects of 20
#: attributes is 21,001).
MAX_ELEMENTS = 1 << 16
#: Bits of one integer (Terraform numbers keep 512 bits of precision).
MAX_INTEGER_BITS = 1024
#: Evaluation steps for one root module and every module it calls: a node evaluated, an element
#: built or walked, CHARACTERS_PER_STEP characters of a string built or read by a function.
MAX_STEPS = 1 << 19
CHARACTERS_PER_STEP = 64
#: Steps one match of a regular expression costs (RE2 is linear, its Python binding slow per match).
MATCH_STEPS = 16


class Rejected(Exception):
    """An expression the scan reports as an error for its file, besides leaving its value unknown:
    Terraform's ``try()`` and ``can()`` do not hide it, because the gate must not pass on it."""


class BudgetExceeded(Rejected):
    """The evaluation went over one of the limits above."""


def check_string_length(length: int) -> None:
    if length > MAX_STRING_LENGTH:
        raise BudgetExceeded(f"a string would be longer than {MAX_STRING_LENGTH:,} characters (evaluation limit)")


def check_elements(count: int) -> None:
    if count > MAX_ELEMENTS:
        raise BudgetExceeded(f"a value would hold more than {MAX_ELEMENTS:,} elements (evaluation limit)")


def check_integer_bits(bits: int) -> None:
    if bits > MAX_INTEGER_BITS:
        raise BudgetExceeded(f"a number would be larger than {MAX_INTEGER_BITS} bits (evaluation limit)")


class Budget:
    """What is left of one root module's evaluation budget, and where its rejections are reported.

    ``report`` receives each rejection once; a budget without one (a syntax-only reading, a test's
    module) still bounds the work, and its rejected values are simply unknown.
    """

    __slots__ = ("steps", "_report", "_measured", "_reported", "_literal")

    def __init__(self, report: Callable[[ScanError], None] | None = None) -> None:
        self.steps = MAX_STEPS
        self._report = report
        # id → (the value itself, so the id is not reused while it is remembered; elements; characters)
        self._measured: dict[int, tuple[Any, int, int]] = {}
        self._reported: set[tuple[str, int | None, str]] = set()
        self._literal: Budget | None = None

    @property
    def literal(self) -> Budget:
        """The budget of the root's literal readings (hardcoded-secret checks), reporting where
        this one does: a root that spends its evaluation budget still has its literals read."""
        if self._literal is None:
            self._literal = Budget(self._report)
            self._literal._reported = self._reported
        return self._literal

    def exhausted(self) -> None:
        """Called by the evaluator once ``steps`` is below zero."""
        raise BudgetExceeded(f"evaluation needs more than {MAX_STEPS:,} steps for this root module (evaluation limit)")

    def spend(self, steps: int) -> None:
        self.steps -= steps
        if self.steps < 0:
            self.exhausted()

    def measure(self, value: Any) -> tuple[int, int]:
        """Elements and string characters of a value, nested collections counted in full.

        Remembered per collection, so a value built from shared parts is measured in the time it
        took to build, not in the (possibly exponential) time a walk of its expansion would take."""
        kind = type(value)
        if kind is str:
            return 1, len(value)
        if kind is not list and kind is not dict:
            return 1, 0
        known = self._measured.get(id(value))
        if known is not None:
            return known[1], known[2]
        elements, characters = 1, 0
        items: Iterable[Any] = value.values() if kind is dict else value
        for item in items:
            item_elements, item_characters = self.measure(item)
            elements += item_elements
            characters += item_characters
        if kind is dict:
            characters += sum(len(key) for key in value)
        self._measured[id(value)] = (value, elements, characters)
        return elements, characters

    def work(self, value: Any) -> int:
        """Steps a function may spend reading this value in full."""
        elements, characters = self.measure(value)
        return elements + characters // CHARACTERS_PER_STEP

    def admit(self, value: Any) -> Any:
        """A value just built: within the ceilings, and paid for."""
        kind = type(value)
        if kind is str:
            check_string_length(len(value))
            self.spend(len(value) // CHARACTERS_PER_STEP)
        elif kind is list or kind is dict:
            check_elements(self.measure(value)[0])
            self.spend(len(value))
        elif kind is int:
            check_integer_bits(value.bit_length())
        return value

    def reject(self, file: str | None, line: int | None, message: str) -> None:
        """Report a rejection once per place; running out of steps once per root module."""
        key = (file or "", line, message) if self.steps >= 0 else ("", None, message)
        if self._report is None or key in self._reported:
            return
        self._reported.add(key)
        self._report(ScanError(file or "", message, line))


def file_holding(files: Iterable[TerraformFile], line: int, expr: object) -> str | None:
    """The file an expression being evaluated was written in, for an error message: the file
    with an attribute holding exactly this expression, else the first whose attributes span its
    line. Only asked when something is rejected, so it may walk the files."""
    spanning = None
    for terraform_file in files:
        pending = [terraform_file.body]
        while pending:
            body = pending.pop()
            for attribute in body.attributes.values():
                if attribute.expr is expr:
                    return terraform_file.path
                if spanning is None and attribute.line <= line <= attribute.end_line:
                    spanning = terraform_file.path
            pending.extend(block.body for block in body.blocks)
    return spanning
