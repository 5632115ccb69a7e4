"""The course's figure helpers draw what their docstrings promise."""

import numpy as np
from matplotlib import pyplot as plt

from lstm_course import plots


def test_draw_over_seeds_draws_a_mean_line_a_band_and_a_dot_per_seed():
    fig, ax = plt.subplots()
    values = [[0.1, 0.3, 0.2], [0.5, 0.5, 0.8]]  # two settings, three seeds
    plots.draw_over_seeds(ax, [10, 40], values, plots.PALETTE["blue"], "RNN")
    mean_line, *dots = ax.get_lines()
    assert mean_line.get_label() == "RNN"
    np.testing.assert_allclose(mean_line.get_ydata(), [0.2, 0.6])
    assert [list(dot.get_ydata()) for dot in dots] == values
    np.testing.assert_allclose(dots[1].get_xdata(), [40 * 0.97, 40, 40 * 1.03])  # spread sideways
    assert len(ax.collections) == 1  # the band from lowest to highest
    plt.close(fig)


def test_draw_chance_draws_a_labelled_horizontal_line():
    fig, ax = plt.subplots()
    plots.draw_chance(ax, 0.25)
    (line,) = ax.get_lines()
    assert line.get_label() == "chance" and list(line.get_ydata()) == [0.25, 0.25]
    plt.close(fig)
