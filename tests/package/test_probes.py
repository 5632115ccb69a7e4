"""The variance share: equal to the analysis-of-variance formula, 1 for a unit the label sets, 0 for one it ignores."""

import pytest
import torch

from lstm_course import probes


def test_variance_share_is_the_between_group_sum_of_squares_over_the_total():
    generator = torch.Generator().manual_seed(0)
    labels = torch.randint(3, (500,), generator=generator)
    values = torch.randn(500, 4, generator=generator, dtype=torch.float64) + labels[:, None] * torch.tensor(
        [0.0, 0.5, 2.0, 10.0], dtype=torch.float64
    )
    total = ((values - values.mean(0)) ** 2).sum(0)
    between = sum(
        (labels == k).sum() * (values[labels == k].mean(0) - values.mean(0)) ** 2 for k in range(3)
    )
    share = probes.variance_share(values, labels, n_labels=3)
    assert torch.allclose(share, between / total, rtol=1e-12)
    assert (share[1:] > share[:-1]).all() and 0 <= share.min() and share.max() <= 1


def test_variance_share_ignores_a_label_that_never_occurs():
    labels = torch.tensor([0, 0, 2, 2])
    values = torch.tensor([[0.0], [0.0], [1.0], [1.0]])
    assert probes.variance_share(values, labels, n_labels=4).item() == pytest.approx(1.0)
