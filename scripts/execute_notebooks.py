"""Run chapter notebooks top to bottom in a fresh kernel, store their outputs, and print each time.

    python scripts/execute_notebooks.py                 # every notebook in chapters/
    python scripts/execute_notebooks.py chapters/01_recurrent_networks.ipynb
    python scripts/execute_notebooks.py --time-only     # run and time them, store nothing

The stored outputs are what the book shows and what the tests compare a rerun against, so run
this after changing a notebook or the package. Progress bars are switched off while it runs,
which keeps the stored pages clean.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def execute(path: Path, store: bool = True) -> float:
    """Execute the notebook at ``path`` (storing its outputs in place if ``store``); return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if store:
        nbformat.write(notebook, path)
    return seconds


def main(arguments: list[str]) -> None:
    os.environ["LSTM_COURSE_PROGRESS"] = "0"
    store = "--time-only" not in arguments
    paths = [argument for argument in arguments if argument != "--time-only"]
    notebooks = [Path(p).resolve() for p in paths] or sorted((ROOT / "chapters").glob("*.ipynb"))
    total = 0.0
    for notebook in notebooks:
        seconds = execute(notebook, store)
        total += seconds
        print(f"{notebook.relative_to(ROOT)}: {seconds:.1f} s", flush=True)
    print(f"all {len(notebooks)} notebooks: {total:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
