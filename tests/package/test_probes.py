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


def test_a_linear_probe_reads_a_label_written_linearly_and_not_one_that_is_absent():
    generator = torch.Generator().manual_seed(0)
    labels = torch.randint(8, (3000,), generator=generator)
    directions = torch.randn(8, 16, generator=generator)
    noise = 0.3 * torch.randn(3000, 16, generator=generator)
    written, absent = directions[labels] + noise, noise
    fit, held = slice(0, 2000), slice(2000, None)
    assert probes.probe_accuracy(written[fit], labels[fit], written[held], labels[held], 8) > 0.99
    assert abs(probes.probe_accuracy(absent[fit], labels[fit], absent[held], labels[held], 8) - 1 / 8) < 0.05


def test_a_linear_probe_is_the_least_squares_fit_to_one_hot_labels():
    generator = torch.Generator().manual_seed(1)
    labels = torch.randint(3, (200,), generator=generator)
    values = torch.randn(200, 5, generator=generator, dtype=torch.float64) + labels[:, None]
    with_bias = torch.cat([values, torch.ones(200, 1, dtype=torch.float64)], dim=1)
    solution = torch.linalg.pinv(with_bias) @ torch.eye(3, dtype=torch.float64)[labels]
    expected = ((with_bias @ solution).argmax(dim=1) == labels).double().mean().item()
    assert probes.probe_accuracy(values, labels, values, labels, 3) == pytest.approx(expected)


def test_a_linear_probe_says_which_shapes_it_expected():
    with pytest.raises(ValueError, match="labels"):
        probes.probe_accuracy(torch.zeros(4, 2), torch.zeros(3, dtype=torch.long), torch.zeros(4, 2),
                              torch.zeros(4, dtype=torch.long), 2)
    with pytest.raises(ValueError, match=r"\(M, 2\)"):
        probes.probe_accuracy(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long), torch.zeros(4, 3),
                              torch.zeros(4, dtype=torch.long), 2)
