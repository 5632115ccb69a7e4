"""The course's figure helpers draw what their docstrings promise."""

import numpy as np
from matplotlib import pyplot as plt

from lstm_course import plots, training


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


def test_plot_training_curves_draws_one_smoothed_curve_per_history_and_the_chance_level():
    histories = {
        "RNN": training.History(accuracy=[0.0, 1.0, 1.0]),
        "LSTM": training.History(accuracy=[1.0, 1.0, 0.0]),
    }
    ax = plots.plot_training_curves(histories, chance=0.25, title="Delayed recall")
    rnn, lstm, chance = ax.get_lines()
    assert [rnn.get_label(), lstm.get_label(), chance.get_label()] == ["RNN", "LSTM", "chance"]
    np.testing.assert_allclose(rnn.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(rnn.get_ydata(), [0.0, 0.5, 2 / 3])
    np.testing.assert_allclose(lstm.get_ydata(), [1.0, 1.0, 2 / 3])
    assert ax.get_title() == "Delayed recall" and ax.get_ylim() == (-0.02, 1.02)
    plt.close(ax.figure)


def test_draw_seeds_draws_only_dots_spread_around_the_shifted_settings():
    fig, ax = plt.subplots()
    values = [[0.1, 0.3], [0.5, 0.8]]  # two settings, two seeds
    plots.draw_seeds(ax, [10, 100], values, plots.MODEL_COLOURS["LSTM"], "LSTM", shift=1.1)
    dots = ax.get_lines()
    assert [list(dot.get_ydata()) for dot in dots] == values
    assert [dot.get_linestyle() for dot in dots] == ["None", "None"]  # no line between settings
    np.testing.assert_allclose(dots[1].get_xdata(), [100 * 1.1 * 0.97, 100 * 1.1])
    assert [dot.get_label() for dot in dots][0] == "LSTM"  # one legend entry for all the dots
    assert [handle.get_label() for handle in ax.get_legend_handles_labels()[0]] == ["LSTM"]
    assert not ax.collections  # no band
    plt.close(fig)
