"""Collapse the exercise solutions of chapter notebooks, so that Jupyter, Binder and Colab hide them as the book does.

    python scripts/collapse_solutions.py                    # every notebook in chapters/
    python scripts/collapse_solutions.py chapters/03_cell_state.ipynb

The book shows a solution in a dropdown that the reader opens; in a notebook, a cell is hidden when
its metadata says ``jupyter: {source_hidden: true}``. This script cuts every markdown cell where a
solution starts and where it ends, so that a solution's text has cells of its own, and marks every
cell of a solution hidden (a code cell's outputs too). It changes no code and no output, so the
notebook need not be rerun. The book tests check that every solution is collapsed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

ROOT = Path(__file__).resolve().parent.parent
SOLUTION_START, SOLUTION_END = "```{solution-start}", "```{solution-end}"


def split_at_solutions(source: str) -> list[str]:
    """The pieces of a markdown cell's text, cut where a solution starts and where one ends."""
    cuts = [match.start() for match in re.finditer(r"^```\{solution-(start|end)\}", source, flags=re.M)]
    edges = [0, *[cut for cut in cuts if cut > 0], len(source)]
    return [source[a:b].strip() for a, b in zip(edges, edges[1:]) if source[a:b].strip()]


def collapse_solutions(path: Path) -> int:
    """Rewrite the notebook at ``path`` with its solutions collapsed; return how many cells are hidden."""
    notebook = nbformat.read(path, as_version=4)
    cells, inside = [], False
    for cell in notebook.cells:
        pieces = split_at_solutions(cell.source) if cell.cell_type == "markdown" else [cell.source]
        for piece in pieces:
            new = cell if len(pieces) == 1 else new_markdown_cell(piece)
            if new.cell_type == "markdown" and piece.startswith(SOLUTION_START):
                inside = True
            elif new.cell_type == "markdown" and piece.startswith(SOLUTION_END):
                inside = False
            jupyter = new.metadata.get("jupyter", {})
            jupyter.pop("source_hidden", None)
            jupyter.pop("outputs_hidden", None)
            if inside:
                jupyter["source_hidden"] = True
                if new.cell_type == "code":
                    jupyter["outputs_hidden"] = True
            if jupyter:
                new.metadata["jupyter"] = jupyter
            else:
                new.metadata.pop("jupyter", None)
            cells.append(new)
    if inside:
        raise ValueError(f"{path}: a solution starts and never ends")
    notebook.cells = cells
    nbformat.write(notebook, path)
    return sum(cell.metadata.get("jupyter", {}).get("source_hidden", False) for cell in cells)


def main(arguments: list[str]) -> None:
    notebooks = [Path(p).resolve() for p in arguments] or sorted((ROOT / "chapters").glob("*.ipynb"))
    for notebook in notebooks:
        print(f"{notebook.relative_to(ROOT)}: {collapse_solutions(notebook)} cells collapsed")


if __name__ == "__main__":
    main(sys.argv[1:])
