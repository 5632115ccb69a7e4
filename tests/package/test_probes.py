"""The variance share equals the analysis-of-variance formula; correlations match torch.corrcoef; the linear probes are
the least-squares (or ridge) fits they promise and read what is written linearly, and nothing that is absent."""

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


def test_correlations_match_corrcoef_and_are_zero_for_a_constant_column():
    generator = torch.Generator().manual_seed(2)
    quantity = torch.randn(300, generator=generator, dtype=torch.float64)
    values = torch.stack([quantity + torch.randn(300, generator=generator, dtype=torch.float64),
                          -quantity, torch.full((300,), 3.0, dtype=torch.float64)], dim=1)
    r = probes.correlations(values, quantity)
    assert r[0].item() == pytest.approx(torch.corrcoef(torch.stack([values[:, 0], quantity]))[0, 1].item())
    assert r[1].item() == pytest.approx(-1.0) and r[2].item() == 0.0


def test_the_ridge_probe_minimises_squared_error_plus_ridge_times_squared_weights_bias_free():
    generator = torch.Generator().manual_seed(3)
    labels = torch.randint(2, (100,), generator=generator)
    values = torch.randn(100, 40, generator=generator, dtype=torch.float64) + labels[:, None]
    ridge = 5.0
    centred = values - values.mean(0)  # with an unpenalised bias, the weights solve the centred normal equations
    targets = torch.eye(2, dtype=torch.float64)[labels]
    weights = torch.linalg.solve(centred.T @ centred + ridge * torch.eye(40, dtype=torch.float64),
                                 centred.T @ (targets - targets.mean(0)))
    bias = targets.mean(0) - values.mean(0) @ weights
    held = torch.randn(50, 40, generator=generator, dtype=torch.float64)
    held_labels = torch.randint(2, (50,), generator=generator)
    expected = ((held @ weights + bias).argmax(1) == held_labels).double().mean().item()
    assert probes.probe_accuracy(values, labels, held, held_labels, 2, ridge=ridge) == pytest.approx(expected)


def test_with_more_columns_than_the_rows_can_pin_down_the_ridge_probe_scores_better_on_other_rows():
    generator = torch.Generator().manual_seed(4)
    direction = torch.randn(200, generator=generator)
    labels = torch.randint(2, (400,), generator=generator)
    values = (labels[:, None] - 0.5) * direction * 0.3 + torch.randn(400, 200, generator=generator)
    fit, held = slice(0, 220), slice(220, None)
    plain = probes.probe_accuracy(values[fit], labels[fit], values[held], labels[held], 2)
    ridged = probes.probe_accuracy(values[fit], labels[fit], values[held], labels[held], 2, ridge=100.0)
    assert ridged > plain + 0.1, (plain, ridged)


def test_a_correlation_probe_follows_a_quantity_written_linearly_and_not_one_that_is_absent():
    generator = torch.Generator().manual_seed(5)
    quantity = torch.rand(3000, generator=generator) * 60
    direction = torch.randn(16, generator=generator)
    noise = torch.randn(3000, 16, generator=generator)
    written = quantity[:, None] / 60 * direction + 0.1 * noise
    fit, held = slice(0, 2000), slice(2000, None)
    assert probes.probe_correlation(written[fit], quantity[fit], written[held], quantity[held]) > 0.99
    assert abs(probes.probe_correlation(noise[fit], quantity[fit], noise[held], quantity[held], ridge=1.0)) < 0.1


@pytest.mark.parametrize("call", [
    lambda: probes.probe_accuracy(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long), torch.zeros(2, 2),
                                  torch.zeros(2, dtype=torch.long), 2, ridge=-1.0),
    lambda: probes.probe_correlation(torch.zeros(4, 2), torch.zeros(3), torch.zeros(2, 2), torch.zeros(2)),
    lambda: probes.correlations(torch.zeros(4, 2), torch.zeros(5)),
])
def test_probes_name_a_bad_argument(call):
    with pytest.raises(ValueError, match="ridge|fit_quantity|quantity"):
        call()
