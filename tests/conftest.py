"""Fixtures shared by the tests: the conditions every test runs under, and the built book.

Every test runs under the conditions the chapters use (``training.make_reproducible``: one thread,
deterministic kernels) with the progress bars off, and starts from the same global seed, so no
result depends on which tests ran before it.
"""

import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from lstm_course import training

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def chapter_conditions():
    """The chapters' conditions for the whole session, restored at its end."""
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    progress = os.environ.get("LSTM_COURSE_PROGRESS")
    os.environ["LSTM_COURSE_PROGRESS"] = "0"
    training.make_reproducible(seed=0)
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)
    if progress is None:
        del os.environ["LSTM_COURSE_PROGRESS"]
    else:
        os.environ["LSTM_COURSE_PROGRESS"] = progress


@pytest.fixture(autouse=True)
def same_start():
    """Seed Python, NumPy and PyTorch before every test, as the chapters do in their first cell."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


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
