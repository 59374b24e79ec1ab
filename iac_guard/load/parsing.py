"""How the bytes of one file become records, the same in the scan's process and in a worker.

A Terraform file (``.tf``, ``.tf.json``, ``.tfvars``) becomes a ``TerraformFile`` or the
``ScanError`` that stopped it; a Kubernetes manifest becomes ``(objects, errors)``. The parsers
never touch the disk: the loader reads each file once, so what is hashed for the cache key is
exactly what was parsed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..kubernetes.loader import load_kube_bytes
from ..kubernetes.objects import KubeObject
from ..model import ScanError
from ..support import progress
from ..support.store import Cache
from ..terraform.syntax.parse import TerraformFile, parse_source
from .parse_cache import dumps

TERRAFORM = "terraform"
KUBERNETES = "kubernetes"

TerraformResult = TerraformFile | ScanError
KubernetesResult = tuple[list[KubeObject], list[ScanError]]
#: What a file parses into; its kind decides which.
ParseResult = TerraformResult | KubernetesResult

#: ``(kind, relative path, bytes)`` to a parse result; a loader may be given another (a test's).
ParseFunction = Callable[[str, str, bytes], ParseResult]


@dataclass(frozen=True)
class Job:
    """One file to parse, read already."""

    kind: str
    rel: str
    data: bytes
    entry: str | None  # cache entry name, when a cache is in use


def parse_file(kind: str, rel: str, data: bytes) -> ParseResult:
    """A file's parse result; a parser that runs out of stack or memory is the file's error."""
    try:
        if kind == TERRAFORM:
            return parse_source(data, rel)
        return load_kube_bytes(data, rel)
    except RecursionError:
        return failed(kind, ScanError(rel, "nesting is too deep to parse"))
    except MemoryError:
        return failed(kind, ScanError(rel, "not enough memory to parse the file"))


def failed(kind: str, error: ScanError) -> ParseResult:
    """A file that could not be parsed (or read), in its kind's shape."""
    return error if kind == TERRAFORM else ([], [error])


def parse_and_store(job: Job, cache: Cache | None, parse: ParseFunction = parse_file) -> ParseResult:
    result = parse(job.kind, job.rel, job.data)
    if cache is not None and job.entry is not None:
        cache.put(job.entry, dumps(result))
    progress.parsed()
    return result


