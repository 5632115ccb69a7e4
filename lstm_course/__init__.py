"""LSTMs from the ground up: the recurrent networks, tasks and tools used by the course's chapters."""

from . import ensembles, exercises, gradients, plots, tasks, training
from .cells import GATE_NAMES, LSTMCell, RNNCell
from .models import LSTM, RNN, LSTMTrace

__all__ = [
    "GATE_NAMES",
    "LSTM",
    "LSTMCell",
    "LSTMTrace",
    "RNN",
    "RNNCell",
    "ensembles",
    "exercises",
    "gradients",
    "plots",
    "tasks",
    "training",
]
