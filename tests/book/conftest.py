"""The built book, shared by the tests of its pages."""

import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[2]


def build_book() -> Path:
    """Build the whole book exactly as the README's first command does; return _build/html."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", "--all", "-W", "-n", "--keep-going", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def built_book(tmp_path_factory, worker_id) -> Path:
    """The book, built once per test run.

    When the tests run in several processes, files that need the book may land in different
    processes: the first to ask builds it while holding a lock in the run's shared temporary
    folder, and the others wait for it and reuse the build.
    """
    if worker_id == "master":
        return build_book()
    shared = tmp_path_factory.getbasetemp().parent
    with FileLock(shared / "book.lock"):
        built = shared / "book.built"
        if not built.is_file():
            build_book()
            built.touch()
    return ROOT / "_build" / "html"
