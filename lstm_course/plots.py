"""The course's figure style: one look everywhere, readable by colour-blind readers.

Colours come from the Okabe-Ito palette (Okabe & Ito, 2008), chosen to stay distinct under
the common forms of colour blindness. Chapters call :func:`use_course_style` once and then use
the helpers below for the figures that recur.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
from matplotlib import pyplot as plt
from matplotlib.axes import Axes

from .training import SMOOTHING_WINDOW, History, moving_average

PALETTE = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "green": "#009E73",
    "vermillion": "#D55E00",
    "sky": "#56B4E9",
    "purple": "#CC79A7",
    "yellow": "#F0E442",
    "black": "#000000",
}
"""The Okabe-Ito colours by name; the first six are the default colour cycle."""

MODEL_COLOURS = {"RNN": PALETTE["vermillion"], "LSTM": PALETTE["blue"]}
"""The same model gets the same colour in every chapter."""

CHANCE_STYLE = {"color": "0.35", "linestyle": "--", "linewidth": 1.2}
"""How every figure draws a chance level."""


def use_course_style() -> None:
    """Set matplotlib's defaults to the course style: palette, sizes, light grid, no top/right frame."""
    cycle = [PALETTE[name] for name in ("blue", "orange", "green", "vermillion", "sky", "purple")]
    mpl.rcParams.update(
        {
            "axes.prop_cycle": mpl.cycler(color=cycle),
            "figure.figsize": (7.0, 3.6),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "figure.constrained_layout.use": True,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.titlesize": 11,
            "axes.labelsize": 10,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "font.size": 10,
        }
    )


def draw_chance(ax: Axes, level: float, label: str = "chance") -> None:
    """Draw a horizontal chance line at ``level`` in the course's chance style."""
    ax.axhline(level, label=label, **CHANCE_STYLE)


def plot_training_curves(
    histories: Mapping[str, History],
    chance: float | None = None,
    metric: str = "accuracy",
    title: str = "Training",
    ax: Axes | None = None,
) -> Axes:
    """Plot one smoothed curve of ``metric`` (``"accuracy"`` or ``"loss"``) per labelled history.

    Args:
        histories: label -> :class:`~lstm_course.training.History`; the label names the curve.
        chance: if given, the blind guess's score, drawn as a dashed line.
        metric: which record of the histories to plot.
        title: the axes' title.
        ax: where to draw; a new figure when omitted.
    """
    if metric not in ("accuracy", "loss"):
        raise ValueError(f"metric must be 'accuracy' or 'loss', got {metric!r}")
    if ax is None:
        ax = plt.figure().add_subplot()
    for label, history in histories.items():
        values = getattr(history, metric)
        ax.plot(np.arange(1, len(values) + 1), moving_average(values), label=label)
    if chance is not None:
        draw_chance(ax, chance)
    ax.set_xlabel("training step")
    ax.set_ylabel(f"{metric} (moving average of {SMOOTHING_WINDOW} steps)")
    if metric == "accuracy":
        ax.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    ax.legend()
    return ax


def draw_over_seeds(ax: Axes, xs: Sequence[float], values: Sequence[Sequence[float]], colour: str, label: str) -> None:
    """Draw a result measured over seeds: one dot per seed, a line through the means, a band from lowest to highest.

    Args:
        ax: where to draw.
        xs: the settings swept (lags, lengths), one per row of ``values``.
        values: ``values[k]`` holds one number per seed at ``xs[k]``.
        colour: the colour of the dots, line and band.
        label: the line's legend label.

    The dots are drawn by :func:`draw_seeds`. The line suggests values between the settings:
    where nobody measured between two settings far apart, draw the dots alone.
    """
    values = np.asarray(values, dtype=float)  # (len(xs), seeds)
    ax.fill_between(xs, values.min(axis=1), values.max(axis=1), color=colour, alpha=0.15)
    ax.plot(xs, values.mean(axis=1), "-", color=colour, label=label)
    draw_seeds(ax, xs, values, colour)


def draw_seeds(
    ax: Axes,
    xs: Sequence[float],
    values: Sequence[Sequence[float]],
    colour: str,
    label: str | None = None,
    shift: float = 1.0,
) -> None:
    """Draw one dot per seed at each setting, spread sideways so that equal results stay visible.

    Args:
        ax: where to draw.
        xs: the settings swept (lags, lengths), one per row of ``values``.
        values: ``values[k]`` holds one number per seed at ``xs[k]``.
        colour: the colour of the dots.
        label: the dots' legend label, if they need one.
        shift: a factor on every ``xs[k]``, to set two models' dots side by side (say 0.9 and 1.1).

    The dots at one setting are spread by a few percent of ``xs[k]``, so that equal results stay
    visible on a linear or a logarithmic axis.
    """
    values = np.asarray(values, dtype=float)  # (len(xs), seeds)
    offsets = shift * (1 + 0.03 * (np.arange(values.shape[1]) - values.shape[1] // 2))
    for k, (x, seed_values) in enumerate(zip(xs, values)):
        ax.plot(x * offsets, seed_values, "o", color=colour, alpha=0.6, markersize=4,
                label=label if k == 0 else None)
