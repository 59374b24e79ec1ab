"""Times whole-process runs of iac-guard, the parse floor and (when installed) Checkov on a generated
corpus, and checks the performance targets of issue 18. Not part of the test run.

    python benchmarks/run.py                        # 600 and 10k files, Checkov (600 only) if on PATH
    python benchmarks/run.py --sizes 10000 --scale 2 --no-checkov  # the larger corpus (>= 25 MB)
    python benchmarks/run.py --sizes 1000 --repeat 5 --no-checkov
    python benchmarks/run.py --checkov /tmp/checkov-venv/bin/checkov --output results.json
    python benchmarks/run.py --sizes 10000 --no-checkov --app-share 0.1   # a tenth app and CI files

Each command runs as its own process; like ``/usr/bin/time -v`` the harness reports wall time,
CPU time (user + system, the process and every child it waited for) and peak RSS (the largest
single process, from ``wait4``). On Linux it also samples the whole process tree every 50 ms and
reports the peak sum of PSS (shared pages counted once between a parent and its forked workers).
Runs repeat ``--repeat`` times (Checkov once, and only on corpora of at most ``--checkov-max-files``:
it takes minutes) and the median wall time is used. Every output is compared byte for byte with a
cold ``--no-cache -j 1`` scan of the same tree.

Commands, on the same corpus:

- ``iac-guard scan CORPUS --format json --output OUT --cache-dir EMPTY`` (cold: an empty cache),
- the same again (warm: the warm fast path replays the cold run; docs/warm-rescans.md),
- the same with one more environment variable (warm, result cache: the warm fast path's entry is
  named by the environment, so it misses; the result cache answers),
- the same after one Terraform file changed (a comment added, then removed again: the result
  cache misses, the parse cache has every other file),
- ``python benchmarks/parse_floor.py CORPUS`` (python-hcl2's Lark parse and PyYAML's C loader,
  nothing else, with the same parallelism),
- ``checkov -d CORPUS --framework terraform kubernetes --quiet --compact -o json``,
- ``iac-guard scan FILE`` on one small Terraform file (the pre-commit case; parser tables cached).

Install Checkov in its own environment, never into iac-guard's:
``python3 -m venv /tmp/checkov-venv && /tmp/checkov-venv/bin/pip install checkov``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_corpus import generate  # noqa: E402

SMALL_FILE = '''resource "aws_secretsmanager_secret" "openai" {
  name = "openai-api-key"
  tags = { owner = "ml-platform" }
}

resource "aws_secretsmanager_secret_rotation" "openai" {
  secret_id = aws_secretsmanager_secret.openai.id
  rotation_rules { automatically_after_days = 30 }
}
'''


#: A file written this close to a scan is not trusted by ``stat``, so the warm fast path would not
#: store that scan (docs/warm-rescans.md): the corpus (and the edit undone) must be older.
SETTLE_SECONDS = 2.1


@dataclass
class Run:
    wall: float
    cpu: float
    max_rss_mb: float
    tree_pss_mb: float | None
    exit_code: int


def measure(command: list[str], stdout: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """One whole-process run of ``command``."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, env=env)
    sampler = _TreeSampler(process.pid)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    if stdout:
        out.close()
    return Run(round(wall, 3), round(usage.ru_utime + usage.ru_stime, 3), round(usage.ru_maxrss / 1024, 1),
               sampler.peak_mb, process.returncode)


class _TreeSampler(threading.Thread):
    """Peak sum of PSS over a process and its descendants (Linux only)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._done = threading.Event()
        self.enabled = Path("/proc/self/smaps_rollup").exists()

    @property
    def peak_mb(self) -> float | None:
        return round(self.peak_kb / 1024, 1) if self.enabled else None

    def run(self) -> None:
        while self.enabled and not self._done.wait(0.05):
            total = sum(_pss_kb(pid) for pid in _tree(self.pid))
            self.peak_kb = max(self.peak_kb, total)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(root: int) -> list[int]:
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                pending += [int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def median_run(runs: list[Run]) -> Run:
    ordered = sorted(runs, key=lambda run: run.wall)
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="600,10000", help="corpus sizes in files, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="folder for corpora and outputs (default: a temporary one)")
    parser.add_argument("--iac-guard", default=shutil.which("iac-guard") or "iac-guard", help="the iac-guard executable")
    parser.add_argument("--checkov", default=shutil.which("checkov"), help="the checkov executable (default: from PATH)")
    parser.add_argument("--no-checkov", action="store_true")
    parser.add_argument("--output", type=Path, help="also write the results as JSON")
    parser.add_argument("--app-share", type=float, default=0.0,
                        help="share of the corpus that is Dockerfiles, Compose, .env, notebooks, MCP configs and workflows")
    parser.add_argument("--scale", type=int, default=1, help="every resource and manifest document this many times (larger files)")
    parser.add_argument("--checkov-max-files", type=int, default=1000, help="run Checkov only on corpora of at most this many files")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="iac-guard-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    checkov = None if args.no_checkov else args.checkov
    results: dict = {"machine": _machine(checkov), "sizes": {}}
    for size in (int(s) for s in args.sizes.split(",")):
        results["sizes"][size] = _bench_size(work, size, args, checkov)
    results["small_file"] = _bench_small(work, args)
    results["targets"] = _targets(results)
    _print(results)
    if args.output:
        args.output.write_text(json.dumps(results, indent=2, default=lambda o: asdict(o)) + "\n")


def _bench_size(work: Path, size: int, args: argparse.Namespace, checkov: str | None) -> dict:
    corpus = work / f"corpus-{size}"
    counts = generate(corpus, size, app_share=args.app_share, scale=args.scale)
    counts["bytes"] = sum(p.stat().st_size for p in corpus.rglob("*") if p.is_file())
    print(f"corpus {size}: {counts}", flush=True)
    out = work / f"iac-guard-{size}.json"
    cold, warm, changed = [], [], []
    edited = min(corpus.rglob("*.tf"))
    original = edited.read_bytes()
    outputs: dict[str, bytes] = {}
    warm_results = []
    for attempt in range(args.repeat):
        cache = work / f"cache-{size}-{attempt}"
        shutil.rmtree(cache, ignore_errors=True)
        command = [args.iac_guard, "scan", str(corpus), "--format", "json", "--output", str(out), "--cache-dir", str(cache)]
        time.sleep(SETTLE_SECONDS)
        cold.append(measure(command))
        outputs["cold"] = out.read_bytes()
        warm.append(measure(command))
        outputs["warm"] = out.read_bytes()
        warm_results.append(measure(command, env={**os.environ, "IAC_GUARD_BENCH_RUN": str(attempt)}))
        edited.write_bytes(original + b"# edit\n")
        changed.append(measure(command))
        outputs["changed"] = out.read_bytes()
        edited.write_bytes(original)
        shutil.rmtree(cache, ignore_errors=True)
        print(f"  iac-guard cold {cold[-1].wall:.2f}s warm {warm[-1].wall:.2f}s warm (result cache) {warm_results[-1].wall:.2f}s "
              f"one file changed {changed[-1].wall:.2f}s", flush=True)
    identical = _same_as_uncached(args.iac_guard, corpus, out, edited, original, outputs)
    floor = [measure([sys.executable, str(HERE / "parse_floor.py"), str(corpus)]) for _ in range(args.repeat)]
    print(f"  parse floor {median_run(floor).wall:.2f}s", flush=True)
    result = {
        "corpus": counts,
        "iac_guard_cold": median_run(cold),
        "iac_guard_warm": median_run(warm),
        "iac_guard_warm_result": median_run(warm_results),
        "iac_guard_changed": median_run(changed),
        "parse_floor": median_run(floor),
        "all_runs": {"cold": cold, "warm": warm, "warm_result": warm_results, "changed": changed, "floor": floor},
        "findings": _findings_count(out),
        "identical_to_uncached": identical,
    }
    if checkov and size <= args.checkov_max_files:
        checkov_out = work / f"checkov-{size}.json"
        run = measure([checkov, "-d", str(corpus), "--framework", "terraform", "kubernetes", "--quiet", "--compact",
                       "-o", "json", "--skip-download"], stdout=checkov_out)
        result["checkov"] = run
        print(f"  checkov {run.wall:.1f}s", flush=True)
    return result


def _same_as_uncached(
    iac_guard: str, corpus: Path, out: Path, edited: Path, original: bytes, outputs: dict[str, bytes]
) -> bool:
    """Whether the cold, warm and one-file-changed outputs are byte for byte what a cold
    ``--no-cache -j 1`` scan of the same tree writes."""
    uncached = [iac_guard, "scan", str(corpus), "--format", "json", "--output", str(out), "--no-cache", "-j", "1"]
    subprocess.run(uncached, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    same = outputs["cold"] == outputs["warm"] == out.read_bytes()
    edited.write_bytes(original + b"# edit\n")
    subprocess.run(uncached, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    edited.write_bytes(original)
    return same and outputs["changed"] == out.read_bytes()


def _findings_count(report: Path) -> int | None:
    """From the summary near the top of the report: loading a large report would grow this process,
    and on Linux every process it starts afterwards inherits its peak RSS through exec."""
    import re

    with report.open(encoding="utf-8") as handle:
        head = handle.read(65536)
    found = re.search(r'"findings": (\d+),', head)
    return int(found.group(1)) if found else None


def _bench_small(work: Path, args: argparse.Namespace) -> dict:
    folder = work / "small"
    folder.mkdir(exist_ok=True)
    (folder / "main.tf").write_text(SMALL_FILE)
    command = [args.iac_guard, "scan", str(folder / "main.tf")]
    measure(command)  # the first run in a fresh cache folder stores the parser tables
    runs = [measure(command) for _ in range(max(5, args.repeat))]
    return {"run": median_run(runs), "all_runs": runs}


def _targets(results: dict) -> list[dict]:
    """Issue 18's targets, each with the measured figure."""
    sizes = results["sizes"]
    targets = []
    largest, smallest = max(sizes), min(sizes)
    big, small = sizes[largest], sizes[smallest]

    def target(text: str, value: str, met: bool) -> None:
        targets.append({"target": text, "value": value, "met": met})

    changed, cold = big["iac_guard_changed"].wall, big["iac_guard_cold"].wall
    target(f"{largest} files, one file changed: <= 1 s wall", f"{changed:.2f}s", changed <= 1.0)
    target(f"{largest} files, one file changed: <= 10% of the cold scan", f"{changed / cold:.0%}", changed / cold <= 0.10)
    for size, limit in ((smallest, 0.12), (largest, 0.3)):
        warm = sizes[size]["iac_guard_warm"].wall
        target(f"{size} files, warm re-scan: <= {limit} s", f"{warm:.2f}s", warm <= limit)
    small_cold = small["iac_guard_cold"].wall
    if "checkov" in small:
        ratio = small["checkov"].wall / small_cold
        target(f"{smallest} files, cold: >= 25x faster than Checkov", f"{ratio:.1f}x", ratio >= 25)
    floor = small_cold / small["parse_floor"].wall
    target(f"{smallest} files, cold: <= 1.0x the parse floor", f"{floor:.2f}x", floor <= 1.0)
    rss, source_mb = big["iac_guard_cold"].max_rss_mb, big["corpus"]["bytes"] / 1e6
    target(f"{largest} files: peak memory <= 250 MB (largest process) on >= 25 MB of source",
           f"{rss:.0f} MB on {source_mb:.1f} MB", rss <= 250 and source_mb >= 25)
    for size, measured in sorted(sizes.items()):
        target(f"{size} files: every output byte-identical to a cold --no-cache -j 1 scan", str(measured["identical_to_uncached"]),
               measured["identical_to_uncached"])
    return targets


def _machine(checkov: str | None) -> dict:
    from importlib import metadata

    def version(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "?"

    info = {
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "platform": platform.platform(), "python": platform.python_version(),
        "iac-guard": version("iac-guard"), "python-hcl2": version("python-hcl2"), "PyYAML": version("PyYAML"),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }
    if checkov:
        info["checkov"] = subprocess.run([checkov, "--version"], capture_output=True, text=True).stdout.strip()
    return info


def _print(results: dict) -> None:
    print()
    print(json.dumps(results["machine"]))
    header = f"{'files':>6}  {'command':<21} {'wall s':>8} {'cpu s':>8} {'max RSS MB':>11} {'tree PSS MB':>12}"
    print(header)
    print("-" * len(header))
    for size, result in results["sizes"].items():
        for name in ("iac_guard_cold", "iac_guard_warm", "iac_guard_warm_result", "iac_guard_changed", "parse_floor", "checkov"):
            if name in result:
                run = result[name]
                print(f"{size:>6}  {name:<21} {run.wall:>8.3f} {run.cpu:>8.2f} {run.max_rss_mb:>11.0f} {run.tree_pss_mb or 0:>12.0f}")
    small = results["small_file"]["run"]
    print(f"{1:>6}  {'small file':<21} {small.wall:>8.3f} {small.cpu:>8.2f} {small.max_rss_mb:>11.0f} {small.tree_pss_mb or 0:>12.0f}")
    print()
    for target in results["targets"]:
        print(f"{'MET ' if target['met'] else 'MISS'}  {target['target']}: {target['value']}")


if __name__ == "__main__":
    main()
