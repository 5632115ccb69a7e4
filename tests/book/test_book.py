"""The book builds with warnings as errors, and the chapter notebooks are stored the way the book needs them."""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def test_book_builds_every_page_in_the_table_of_contents(built_book):
    toc = (ROOT / "_toc.yml").read_text()
    for name in re.findall(r"file:\s*(\S+)", toc) + ["intro"]:
        assert (built_book / f"{name}.html").is_file(), f"{name}.html was not built"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_pages_show_figures_math_and_no_errors(built_book, notebook):
    page = (built_book / "chapters" / f"{notebook.stem}.html").read_text()
    images = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert images, "the page shows no figure"
    for source in images:
        assert (built_book / "chapters" / source).resolve().is_file(), f"missing image {source}"
    assert "math notranslate" in page, "the page has no typeset equations"
    before_exercises = re.sub(r"<[^>]+>", "", page).split("Exercises")[0]
    assert "Traceback" not in page and not re.search(r"\w+Error: ", before_exercises), "the page shows an error"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebooks_are_stored_run_in_order_and_quiet(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    code = [cell for cell in cells if cell["cell_type"] == "code"]
    counts = [cell["execution_count"] for cell in code]
    assert counts == list(range(1, len(code) + 1)), "run the notebook top to bottom in a fresh kernel"
    for cell in code:
        for output in cell["outputs"]:
            assert output["output_type"] != "error", "a stored cell raised an error"
            assert output.get("name") != "stderr", f"noisy stderr output: {''.join(output['text'])[:200]}"
    hidden_checks = [cell for cell in code if "remove-cell" in cell["metadata"].get("tags", [])]
    assert any("assert" in "".join(cell["source"]) for cell in hidden_checks), "no hidden cell checks a claim"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_solution_is_collapsed_in_the_notebook_and_nothing_else(notebook):
    """Binder and Colab show a notebook's cells, not the book's dropdowns: solutions must start collapsed there too."""
    inside, solutions = False, 0
    for cell in json.loads(notebook.read_text())["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and source.startswith("```{solution-start}"):
            inside, solutions = True, solutions + 1
        elif cell["cell_type"] == "markdown" and source.startswith("```{solution-end}"):
            inside = False
        else:
            assert "```{solution-" not in source, "a solution directive inside a cell: run scripts/collapse_solutions.py"
        hidden = cell["metadata"].get("jupyter", {}).get("source_hidden", False)
        assert hidden == inside, f"{'visible' if inside else 'collapsed'}: {source[:80]!r}"
    assert solutions > 0
