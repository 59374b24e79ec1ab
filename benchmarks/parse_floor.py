"""The parse floor: python-hcl2's Lark parser and PyYAML's C loader on the corpus, nothing else.

    python benchmarks/parse_floor.py CORPUS [--jobs N]

Parses every ``.tf`` / ``.tfvars`` file with ``hcl2.parser.parser().parse`` (the parse tree
python-hcl2 builds before any conversion) and loads every ``.yaml`` / ``.yml`` file with
``yaml.load_all(..., Loader=yaml.CSafeLoader)``, with the same parallelism iac-guard uses (a fork
pool of one worker per CPU) — the least any tool built on these parsers must spend on the corpus.
Results are dropped. ``.tf.json`` files (JSON, read by PyYAML's composer in iac-guard) are not
part of the benchmark corpus. Prints files parsed, errors and the time spent, as JSON.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import time
from pathlib import Path

TERRAFORM = (".tf", ".tfvars")
YAML = (".yaml", ".yml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    start = time.perf_counter()
    files = sorted(str(p) for p in args.corpus.rglob("*") if p.is_file() and p.name.endswith(TERRAFORM + YAML))
    import hcl2.parser

    hcl2.parser.parser()  # built before forking, as iac-guard does
    if args.jobs > 1:
        with multiprocessing.get_context("fork").Pool(args.jobs) as pool:
            errors = sum(pool.imap_unordered(_parse, files, chunksize=max(1, len(files) // (args.jobs * 8))))
    else:
        errors = sum(map(_parse, files))
    print(json.dumps({"files": len(files), "errors": errors, "jobs": args.jobs, "seconds": round(time.perf_counter() - start, 3)}))


def _parse(path: str) -> int:
    with open(path, encoding="utf-8-sig") as handle:
        text = handle.read()
    try:
        if path.endswith(TERRAFORM):
            import hcl2.parser

            hcl2.parser.parser().parse(text + "\n")
        else:
            import yaml

            for _ in yaml.load_all(text, Loader=yaml.CSafeLoader):
                pass
    except Exception:  # noqa: BLE001 - counted, like a parse error in a scan
        return 1
    return 0


if __name__ == "__main__":
    main()
