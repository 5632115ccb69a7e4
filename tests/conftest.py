"""Fixtures shared by the tests: the built book, and the conditions the chapters run under."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from lstm_course import training

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def built_book() -> Path:
    """Build the whole book once, exactly as the README's first command does; return _build/html."""
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    result = subprocess.run(
        [str(jupyter_book), "build", "--all", "-W", "-n", "--keep-going", str(ROOT)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return ROOT / "_build" / "html"


@pytest.fixture(scope="module")
def chapter_conditions():
    """The chapters' conditions (one thread, deterministic kernels, no progress bars), restored after."""
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    progress = os.environ.get("LSTM_COURSE_PROGRESS")
    os.environ["LSTM_COURSE_PROGRESS"] = "0"
    training.make_reproducible(seed=0, threads=1)
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)
    if progress is None:
        del os.environ["LSTM_COURSE_PROGRESS"]
    else:
        os.environ["LSTM_COURSE_PROGRESS"] = progress
