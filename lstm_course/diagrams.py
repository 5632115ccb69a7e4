r"""The course's diagrams, drawn by code so that their labels are the symbols of the equations.

Each function returns a matplotlib figure on a white card (readable in the book's light and dark
themes) in the course's colours:

- :func:`unrolled_rnn`: the recurrent network unrolled over time (chapter 1);
- :func:`gradient_paths`: the path a gradient takes back through time, in the RNN (chapter 2) and
  along the LSTM's cell state (chapter 3);
- :func:`lstm_cell`: one LSTM step with any subset of its gates; the chapters on the gates draw it
  growing one gate at a time, the new gate highlighted (chapters 3 to 7).

A gate that the cell does not have is drawn as a dashed box holding the constant 1, as the
package's :class:`~lstm_course.LSTM` treats it.
"""

from __future__ import annotations

from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .cells import GATE_NAMES
from .plots import PALETTE
from .validation import check_gate_names, check_positive_int

GATE_SYMBOLS = {"forget": "f_t", "input": "i_t", "candidate": "g_t", "output": "o_t"}
"""The symbol of each gate (and of the candidate) in the equations, as the diagrams label them."""

INK = "#222222"
FADED = "#9a9a9a"
HIGHLIGHT = PALETTE["orange"]
GATE_COLOUR = PALETTE["blue"]
CANDIDATE_COLOUR = PALETTE["green"]
LANE_COLOUR = PALETTE["blue"]
GRADIENT_COLOUR = PALETTE["vermillion"]


def _canvas(width: float, limits: tuple[float, float, float, float]) -> tuple[Figure, Axes]:
    """A figure ``width`` inches wide on a white card, drawing in the data ``limits`` (x0, x1, y0, y1) at one scale."""
    x0, x1, y0, y1 = limits
    fig, ax = plt.subplots(figsize=(width, width * (y1 - y0) / (x1 - x0)), layout="constrained")
    fig.patch.set_facecolor("white")
    ax.set_xlim(limits[0], limits[1])
    ax.set_ylim(limits[2], limits[3])
    ax.set_aspect("equal")
    ax.axis("off")
    return fig, ax


def _box(ax: Axes, x: float, y: float, text: str, colour: str, width: float = 1.0, height: float = 0.7,
         dashed: bool = False, fill: str = "white") -> None:
    """A rounded box centred at (x, y) with ``text`` inside."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.12", facecolor=fill, edgecolor=colour,
                                linewidth=2.0, linestyle="--" if dashed else "-"))
    ax.text(x, y, text, ha="center", va="center", fontsize=12, color=colour if dashed else INK)


def _node(ax: Axes, x: float, y: float, operation: str, colour: str = INK) -> None:
    """A small circle holding a pointwise operation, ``"×"`` or ``"+"``."""
    ax.add_patch(Circle((x, y), 0.22, facecolor="white", edgecolor=colour, linewidth=1.8, zorder=3))
    ax.text(x, y, operation, ha="center", va="center", fontsize=12, color=colour, zorder=4)


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], colour: str = INK,
           dashed: bool = False, width: float = 1.6) -> None:
    """An arrow from ``start`` to ``end``."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, color=colour, linewidth=width,
                                 linestyle="--" if dashed else "-", shrinkA=0, shrinkB=0, zorder=2))


def _line(ax: Axes, xs: list[float], ys: list[float], colour: str = INK, width: float = 1.6) -> None:
    ax.plot(xs, ys, color=colour, linewidth=width, solid_capstyle="butt", zorder=1)


def unrolled_rnn(steps: int = 4) -> Figure:
    r"""The RNN unrolled over ``steps`` time steps: one cell, applied again at every step.

    Each copy reads :math:`x_t` and :math:`h_{t-1}` and computes :math:`h_t = \tanh(W_x x_t + W_h h_{t-1} + b)`;
    the readout turns :math:`h_t` into the prediction :math:`\hat y_t`. The same weights serve every copy.
    """
    steps = check_positive_int("steps", steps)
    gap = 2.4
    fig, ax = _canvas(1.9 * steps + 1.4, (-1.6, gap * (steps - 1) + 1.6, -1.7, 2.3))
    _arrow(ax, (-1.3, 0), (-0.5, 0))
    ax.text(-1.35, 0.18, "$h_0 = 0$", ha="left", va="bottom", fontsize=11, color=INK)
    for k in range(steps):
        x = gap * k
        t = k + 1
        _box(ax, x, 0, r"$\tanh$", GATE_COLOUR)
        _arrow(ax, (x, -1.25), (x, -0.35))
        ax.text(x, -1.5, f"$x_{{{t}}}$", ha="center", va="center", fontsize=12, color=INK)
        _arrow(ax, (x, 0.35), (x, 1.35), colour=FADED)
        ax.text(x + 0.12, 0.85, "$W_y$", ha="left", va="center", fontsize=9, color=FADED)
        ax.text(x, 1.65, rf"$\hat y_{{{t}}}$", ha="center", va="center", fontsize=12, color=INK)
        end = x + gap - 0.5 if k < steps - 1 else x + 1.4
        _arrow(ax, (x + 0.5, 0), (end, 0))
        ax.text(x + 0.95, 0.12, f"$h_{{{t}}}$", ha="center", va="bottom", fontsize=11, color=INK)
    ax.text(gap * (steps - 1) / 2, 2.15, "the same weights $W_x, W_h, b$ at every step",
            ha="center", va="center", fontsize=10, color=FADED)
    return fig


def gradient_paths(steps: int = 4, lstm: str | None = None) -> Figure:
    r"""The path the gradient takes back through ``steps`` steps: through the RNN's hidden state, and along the LSTM's cell state.

    The RNN's row: each step back multiplies :math:`\partial L / \partial h_t` by
    :math:`W_h^\top \operatorname{diag}(1 - h_t^2)`. With ``lstm="1997"`` a second row shows the
    direct path along the cell state of the LSTM without a forget gate, where each step back
    multiplies :math:`\partial L / \partial c_t` by 1; with ``lstm="forget"``, by :math:`f_t`, element
    by element.
    """
    steps = check_positive_int("steps", steps)
    factors = {"1997": lambda t: r"$\times 1$", "forget": lambda t: rf"$\times f_{{{t}}}$"}
    if lstm is not None and lstm not in factors:
        raise ValueError(f"lstm must be None, '1997' or 'forget', got {lstm!r}")
    rows = [("RNN", "h", lambda t: rf"$\times W_h^\top \mathrm{{diag}}(1 - h_{{{t}}}^2)$", GATE_COLOUR)]
    if lstm is not None:
        rows.append(("LSTM", "c", factors[lstm], LANE_COLOUR))
    gap, top = 2.8, 1.0
    bottom = top - 2.0 * (len(rows) - 1)
    fig, ax = _canvas(1.9 * steps + 2.4, (-2.6, gap * (steps - 1) + 1.9, bottom - 1.0, top + 1.0))
    for row, (name, state, factor, colour) in enumerate(rows):
        y = top - 2.0 * row
        ax.text(-2.5, y, name, ha="left", va="center", fontsize=11, color=INK, fontweight="bold")
        for k in range(steps):
            x = gap * k
            back = steps - 1 - k  # steps before the last
            t = "T" if back == 0 else f"T-{back}"
            ax.add_patch(Circle((x, y), 0.42, facecolor="white", edgecolor=colour, linewidth=2.0, zorder=3))
            ax.text(x, y, f"${state}_{{{t}}}$", ha="center", va="center", fontsize=11, color=INK, zorder=4)
            if k > 0:
                _arrow(ax, (x - 0.46, y), (x - gap + 0.46, y), colour=GRADIENT_COLOUR, width=2.0)
                ax.text(x - gap / 2, y + 0.2, factor(t), ha="center", va="bottom", fontsize=9, color=GRADIENT_COLOUR)
        last = gap * (steps - 1)
        _arrow(ax, (last + 1.6, y), (last + 0.46, y), colour=GRADIENT_COLOUR, width=2.0)
        ax.text(last + 1.05, y + 0.2, "from $L$", ha="center", va="bottom", fontsize=9, color=GRADIENT_COLOUR)
    return fig


def lstm_cell(gates: tuple[str, ...] = GATE_NAMES, new: str | None = None) -> Figure:
    r"""One LSTM step with the gates in ``gates``, the gate ``new`` highlighted.

    The cell state runs along the top: :math:`c_t = f_t \odot c_{t-1} + i_t \odot g_t`. The
    gates and the candidate read :math:`h_{t-1}` and :math:`x_t` from the bottom; the output gate
    scales :math:`\tanh(c_t)` into :math:`h_t = o_t \odot \tanh(c_t)`. A gate the cell does not have
    is a dashed box holding 1.

    Args:
        gates: which of ``"input"``, ``"forget"``, ``"output"`` the cell has.
        new: the gate to highlight (it must be one of ``gates``), or None.
    """
    gates = check_gate_names(gates, GATE_NAMES)
    if new is not None and new not in gates:
        raise ValueError(f"new must be one of the cell's gates {gates} or None, got {new!r}")
    fig, ax = _canvas(7.2, (-1.4, 11.6, -1.2, 6.4))
    lane_y, gate_y, bus_y = 5.0, 2.6, 1.0
    columns = {"forget": 2.6, "input": 4.4, "candidate": 5.8, "output": 7.6}

    # the cell state's lane, c_{t-1} to c_t, through the forget gate's x and the write's +
    _line(ax, [-0.6, 2.38], [lane_y, lane_y], LANE_COLOUR, 3.0)
    _line(ax, [2.82, 5.58], [lane_y, lane_y], LANE_COLOUR, 3.0)
    _arrow(ax, (6.02, lane_y), (10.6, lane_y), LANE_COLOUR, width=3.0)
    ax.text(-0.7, lane_y + 0.35, "$c_{t-1}$", ha="left", va="bottom", fontsize=12, color=INK)
    ax.text(10.6, lane_y + 0.35, "$c_t$", ha="right", va="bottom", fontsize=12, color=INK)
    _node(ax, columns["forget"], lane_y, "×")
    _node(ax, 5.8, lane_y, "+")

    # h_{t-1} and x_t, read by every gate
    _line(ax, [-0.6, columns["output"]], [bus_y, bus_y], INK)
    ax.text(-0.7, bus_y - 0.35, "$h_{t-1}$", ha="left", va="top", fontsize=12, color=INK)
    _arrow(ax, (1.0, -0.9), (1.0, bus_y - 0.05))
    ax.text(1.2, -0.75, "$x_t$", ha="left", va="center", fontsize=12, color=INK)

    for gate, x in columns.items():
        present = gate == "candidate" or gate in gates
        colour = CANDIDATE_COLOUR if gate == "candidate" else GATE_COLOUR
        if gate == new:
            colour = HIGHLIGHT
        if present:
            activation = r"$\tanh$" if gate == "candidate" else r"$\sigma$"
            _box(ax, x, gate_y, activation, colour, fill="#fff4e0" if gate == new else "white")
            _arrow(ax, (x, bus_y), (x, gate_y - 0.37))
            name = "candidate" if gate == "candidate" else f"{gate} gate"
        else:
            _box(ax, x, gate_y, "1", FADED, dashed=True)
            name = f"no {gate} gate"
        ax.text(x, bus_y - 0.3, name, ha="center", va="top", fontsize=8, color=colour if present else FADED)
        left = gate == "input"  # its arrow leans right, so its symbol goes on the left
        ax.text(x - 0.15 if left else x + 0.15, gate_y + 0.55, f"${GATE_SYMBOLS[gate]}$", ha="right" if left else "left",
                va="bottom", fontsize=11, color=colour if present else FADED)

    arrow_colour = {gate: (HIGHLIGHT if gate == new else INK) if gate in gates else FADED for gate in GATE_NAMES}
    # forget gate: scales the old cell state
    _arrow(ax, (columns["forget"], gate_y + 0.37), (columns["forget"], lane_y - 0.24), arrow_colour["forget"],
           dashed="forget" not in gates)
    # input gate times candidate: what is written
    _node(ax, 5.1, 3.9, "×")
    _arrow(ax, (columns["input"], gate_y + 0.37), (4.9, 3.75), arrow_colour["input"], dashed="input" not in gates)
    _arrow(ax, (columns["candidate"], gate_y + 0.37), (5.3, 3.75), INK)
    _arrow(ax, (5.1, 4.12), (5.65, lane_y - 0.17), INK)
    # output gate times tanh(c_t): what is shown
    _box(ax, 9.2, 3.9, r"$\tanh$", LANE_COLOUR, width=0.9, height=0.6)
    _arrow(ax, (9.2, lane_y), (9.2, 4.2), LANE_COLOUR)
    _node(ax, 9.2, gate_y, "×")
    _arrow(ax, (9.2, 3.6), (9.2, gate_y + 0.22), INK)
    _arrow(ax, (columns["output"] + 0.5, gate_y), (8.98, gate_y), arrow_colour["output"], dashed="output" not in gates)
    _line(ax, [9.2, 9.2], [gate_y - 0.22, bus_y], INK)
    _arrow(ax, (9.2, bus_y), (10.6, bus_y))
    ax.text(10.6, bus_y - 0.35, "$h_t$", ha="right", va="top", fontsize=12, color=INK)
    return fig
