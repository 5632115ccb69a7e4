"""The diagrams label what the equations name: every symbol is drawn, absent gates hold a 1, the new gate stands out."""

import pytest
from matplotlib import pyplot as plt
from matplotlib.colors import to_rgba
from matplotlib.patches import FancyBboxPatch

from lstm_course import diagrams


def texts(fig):
    """Every string drawn on the figure."""
    return [text.get_text() for ax in fig.axes for text in ax.texts]


def boxes(fig):
    """(label, edge colour, dashed) of every box on the figure, in drawing order."""
    ax = fig.axes[0]
    patches = [patch for patch in ax.patches if isinstance(patch, FancyBboxPatch)]
    labels = [text for text in ax.texts if text.get_text() in ("$\\sigma$", "$\\tanh$", "1")]
    found = []
    for patch in patches:
        centre = patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2
        label = next(text.get_text() for text in labels if text.get_position() == pytest.approx(centre))
        found.append((label, patch.get_edgecolor(), patch.get_linestyle() != "-"))
    return found


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_the_unrolled_rnn_has_one_cell_per_step_with_its_input_state_and_prediction():
    drawn = texts(diagrams.unrolled_rnn(steps=3))
    assert drawn.count("$\\tanh$") == 3
    for symbol in ["$x_{1}$", "$x_{2}$", "$x_{3}$", "$h_{1}$", "$h_{3}$", "$\\hat y_{3}$", "$h_0 = 0$"]:
        assert symbol in drawn, symbol


def test_the_gradient_path_multiplies_by_the_jacobian_in_the_rnn_and_by_f_or_1_along_the_lane():
    rnn_only = texts(diagrams.gradient_paths(steps=3))
    assert "RNN" in rnn_only and "LSTM" not in rnn_only
    assert "$\\times W_h^\\top \\mathrm{diag}(1 - h_{T}^2)$" in rnn_only
    with_forget = texts(diagrams.gradient_paths(steps=3, lstm="forget"))
    assert {"$\\times f_{T}$", "$\\times f_{T-1}$", "$c_{T-2}$"} <= set(with_forget)
    lstm_1997 = texts(diagrams.gradient_paths(steps=3, lstm="1997"))
    assert lstm_1997.count("$\\times 1$") == 2


@pytest.mark.parametrize("gates", [(), ("input", "output"), ("forget",), ("input", "forget", "output")])
def test_the_lstm_cell_draws_a_sigma_box_per_gate_and_a_dashed_1_per_missing_gate(gates):
    drawn = boxes(diagrams.lstm_cell(gates))
    sigmoid_boxes = [box for box in drawn if box[0] == "$\\sigma$"]
    fixed_at_one = [box for box in drawn if box[0] == "1"]
    assert len(sigmoid_boxes) == len(gates)
    assert len(fixed_at_one) == 3 - len(gates)
    assert all(dashed for _, _, dashed in fixed_at_one) and not any(dashed for _, _, dashed in sigmoid_boxes)
    labels = texts(diagrams.lstm_cell(gates))
    for symbol in ["$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$h_t$", "$x_t$", "$g_t$", "$f_t$", "$i_t$", "$o_t$"]:
        assert symbol in labels, symbol


@pytest.mark.parametrize("new", ["forget", "input", "output"])
def test_the_new_gate_alone_is_drawn_in_the_highlight_colour(new):
    fig = diagrams.lstm_cell(new=new)
    highlighted = [label for label, colour, _ in boxes(fig) if colour == to_rgba(diagrams.HIGHLIGHT)]
    assert highlighted == ["$\\sigma$"]
    assert f"{new} gate" in texts(fig)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="new must be one of the cell's gates"):
        diagrams.lstm_cell(("input", "output"), new="forget")
    with pytest.raises(ValueError, match="gates must be names from"):
        diagrams.lstm_cell(("remember",))
    with pytest.raises(ValueError, match="lstm must be None, '1997' or 'forget', got 'gru'"):
        diagrams.gradient_paths(lstm="gru")
    with pytest.raises(ValueError, match="steps must be a positive int"):
        diagrams.unrolled_rnn(steps=0)
