"""LSTMs from the ground up: the recurrent networks, tasks and tools used by the course's chapters.

Where things are:

- :mod:`~lstm_course.cells`: one step of the RNN and of the LSTM, the equations as code;
- :mod:`~lstm_course.models`: the RNN and the LSTM over whole sequences, and their ``torch.nn`` copies;
- :mod:`~lstm_course.kernels`: the fast paths, with back-propagation through time written by hand;
- :mod:`~lstm_course.variants` and :mod:`~lstm_course.gru`: the peephole and coupled-gate LSTMs, and the GRU;
- :mod:`~lstm_course.predictor`: a recurrent core with a readout, the model every chapter trains;
- :mod:`~lstm_course.tasks`: the synthetic memory tasks, each with its chance level;
- :mod:`~lstm_course.text`: a book for a character-level language model, its batches and baselines;
- :mod:`~lstm_course.training`: the training loop, for one model or one RNN per seed
  (:mod:`~lstm_course.parallel_rnns`), and held-out evaluation;
- :mod:`~lstm_course.gradients`: measuring how gradients travel back through time;
- :mod:`~lstm_course.probes`: reading what a network's states hold;
- :mod:`~lstm_course.plots`: the course's figure style;
- :mod:`~lstm_course.prose`: numbers from a page's own run, written as the prose writes them;
- :mod:`~lstm_course.torch_lstm`: working with ``torch.nn.LSTM`` itself: its gate layout and forget bias;
- :mod:`~lstm_course.speed`: timing a training step and counting the operations it sends to PyTorch;
- :mod:`~lstm_course.diagrams`: the diagrams of the RNN, the LSTM cell and the gradient's paths, drawn by code;
- :mod:`~lstm_course.reference`: the RNN and the LSTM in NumPy, back-propagation through time written by hand;
- :mod:`~lstm_course.exercises`: checkers for the exercises' answers;
- :mod:`~lstm_course.validation`: the argument checks behind every error message.
"""

from . import diagrams, exercises, gradients, plots, probes, reference, speed, tasks, text, torch_lstm, training
from .cells import GATE_NAMES, LSTMCell, RNNCell
from .gru import GRU
from .models import LSTM, RNN, LSTMTrace
from .predictor import Predictor
from .variants import CIFGLSTM, PeepholeLSTM

__all__ = [
    "CIFGLSTM",
    "GATE_NAMES",
    "GRU",
    "LSTM",
    "LSTMCell",
    "LSTMTrace",
    "PeepholeLSTM",
    "Predictor",
    "RNN",
    "RNNCell",
    "diagrams",
    "exercises",
    "gradients",
    "plots",
    "probes",
    "reference",
    "speed",
    "tasks",
    "text",
    "torch_lstm",
    "training",
]
