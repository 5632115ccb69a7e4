"""The conditions every test runs under: the chapters' conditions, and the same seed at every start.

Every test runs under the conditions the chapters use (``training.make_reproducible``: one thread,
deterministic kernels) with the progress bars off, and starts from the same global seed, so no
result depends on which tests ran before it. The figures a test records (``record_property``) are
turned into plain Python numbers, so that a test process can send them to the main one.
"""

import os
import random

import numpy as np
import pytest
import torch

from lstm_course import training


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


def plain(value):
    """``value`` with NumPy and PyTorch numbers turned into Python ones, in lists, tuples and dicts too."""
    if isinstance(value, (np.generic, torch.Tensor)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return type(value)(plain(item) for item in value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item):
    """Make the recorded figures plain before the report leaves the test process."""
    report = yield
    report.user_properties = [(name, plain(value)) for name, value in report.user_properties]
    return report
