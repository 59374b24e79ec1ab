"""The ``iac-guard`` process: the warm fast path first, then the command line.

A re-scan of an unchanged tree is answered from the stored run (pipeline/warm_path.py) before
click, PyYAML, Lark or the model are imported; anything else — and any doubt — runs the command
line, recording the scan so that the next identical one can be answered that way
(pipeline/warm_record.py).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    argv = sys.argv[1:]
    from .pipeline import warm_path  # lazy: start-up time, the very reason for this module

    code = warm_path.replay(argv)
    if code is not None:
        os._exit(code)
    from .pipeline import warm_record  # lazy: start-up time: only a scan that may be stored records

    warm_record.start(argv)
    from .cli import main as command_line  # lazy: start-up time: click loads only when the fast path did not answer

    command_line(prog_name="iac-guard")
