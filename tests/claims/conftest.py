"""The seeds the claim tests rerun the chapters' experiments with, and how to choose others.

Each chapter trains with a few seeds of its own (0 to 4) and checks its claims in hidden cells.
The tests in this folder rerun the same experiments with seeds the chapters do not use, 11 to 18
unless the environment variable ``LSTM_COURSE_CLAIM_SEEDS`` names others (``"20-35"`` or
``"3,7,9"``). A test that takes a ``seed`` argument runs once per seed; a claim about how many
seeds do something is stated as a share of the seeds, so it means the same for any number of them.

Every test records the figures it checks with pytest's ``record_property``: run with
``--junitxml=claims.xml`` to keep them, for example to see how close to its margin a claim is on
your machine.
"""

import os

import pytest

DEFAULT_SEEDS = "11-18"


def claim_seeds() -> list[int]:
    """The seeds named by ``LSTM_COURSE_CLAIM_SEEDS`` (ranges ``a-b`` and single seeds, comma-separated)."""
    text = os.environ.get("LSTM_COURSE_CLAIM_SEEDS", DEFAULT_SEEDS)
    seeds = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        seeds.extend(range(int(first), int(last or first) + 1))
    if not seeds:
        raise ValueError(f"LSTM_COURSE_CLAIM_SEEDS names no seed: {text!r}")
    return seeds


def pytest_generate_tests(metafunc):
    """Run every test that takes a ``seed`` once per claim seed."""
    if "seed" in metafunc.fixturenames:
        metafunc.parametrize("seed", claim_seeds())


@pytest.fixture(scope="session")
def seeds() -> list[int]:
    """All the claim seeds, for experiments that train every seed before the tests look at them."""
    return claim_seeds()
