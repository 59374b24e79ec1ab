"""Jupyter notebooks: a notebook is a workload (it runs with the keys it holds), and keys in its
cells are its literal credential — in a code cell's source, or printed into a cell's stored
output (``print(os.environ)``, a client's repr, a traceback showing a request's headers), which
ships with the notebook wherever it is shared even after the source line was removed.

Cells are text, searched for keys of known formats only; each key is reported at its file line,
and its field names the cell (``cell 4 outputs[0]``: the fifth cell's first output). A key in a
stored output is also an exposure (IAG008): whoever opens the notebook, or its rendering on a
code host, reads it, and clearing the source does not clear it.
"""

from __future__ import annotations

from ...containers.files import AppFiles
from ...model import Extraction, Flow, Location, SecretLiteral, Workload
from ...secrets.text import find_keys
from .records import literal, literal_records

PROVIDER = "jupyter"


def extract(files: AppFiles) -> Extraction:
    found = Extraction()
    for rel in sorted(files.notebooks):
        texts = files.notebooks[rel]
        end = max((text.line for text in texts), default=1)
        notebook = Workload(f"notebook:{rel}", PROVIDER, "notebook", Location(rel, 1, end))
        found.workloads.append(notebook)
        literals = [
            literal(f"cell {text.cell} {text.part}", match.detection, rel, text.line)
            for text in texts for match in find_keys(text.text)
        ]
        if literals:
            hints = [item.ai_provider for item in literals if item.ai_provider]
            found.extend(literal_records(notebook, literals, hints, rel))
            found.flows += [_shown(notebook, item) for item in literals if " outputs[" in item.field]
    return found


def _shown(notebook: Workload, shown: SecretLiteral) -> Flow:
    """A key printed into a stored output: the notebook's literal credential, exposed there."""
    return Flow("exposed", notebook.address, notebook.address, f"{shown.field} shows {shown.fingerprint} in the stored output",
                "clear the outputs before committing (jupyter nbconvert --clear-output) and rotate the key", shown.location)
