"""A character-level language model: an embedding, one recurrent layer and a readout to the next character."""

from __future__ import annotations

import torch
from torch import nn

from ..models import LSTM
from ..validation import check_positive_int, check_state, check_torch_module

State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]
"""A recurrent state: ``h`` ``(B, H)`` for an RNN, ``(h, c)`` for an LSTM."""


def check_character_inputs(inputs: object, vocabulary_size: int) -> torch.Tensor:
    """Return ``inputs`` if it is a ``(B, T)`` LongTensor of ids below ``vocabulary_size``; raise otherwise."""
    if not isinstance(inputs, torch.Tensor) or inputs.dtype != torch.long:
        given = inputs.dtype if isinstance(inputs, torch.Tensor) else type(inputs).__name__
        raise TypeError(f"inputs must be a LongTensor of character ids (Vocabulary.encode), got {given}")
    if inputs.dim() != 2 or inputs.shape[1] == 0:
        raise ValueError(
            f"inputs must have shape (batch, time) = (B, T) with T >= 1, got shape {tuple(inputs.shape)}; "
            f"a single text is ids[None]"
        )
    if inputs.numel() and not 0 <= int(inputs.min()) <= int(inputs.max()) < vocabulary_size:
        raise ValueError(
            f"inputs must be ids in [0, {vocabulary_size - 1}] (the vocabulary's size is {vocabulary_size}), "
            f"got values from {int(inputs.min())} to {int(inputs.max())}"
        )
    return inputs


def detach_state(state: State | None) -> State | None:
    """``state`` cut from the graph that computed it: same numbers, no gradient flows back through it."""
    if state is None:
        return None
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


class CharModel(nn.Module):
    """A character-level language model: embedding (``V`` to ``E``), one recurrent layer (``H``), readout (``H`` to ``V``).

    At every step the character id :math:`x_t` is looked up in the embedding, :math:`e_t = E[x_t]`,
    the recurrent core updates its state from :math:`e_t`, and the readout gives the logits of the
    next character, :math:`z_t = W_y h_t + b_y`; ``softmax`` of :math:`z_t` is
    :math:`p(x_{t+1} \\mid x_{\\le t})`. The core is a one-layer, batch-first ``torch.nn.LSTM`` or
    ``torch.nn.RNN``, PyTorch's fused kernels, because a book is long: :meth:`hidden_states` reads
    an LSTM's states through the course's own :class:`~lstm_course.LSTM` instead.

    The model follows :class:`~lstm_course.text.CharacterModel`: ``model(inputs, state)`` takes ids
    ``(B, T)`` and the state left by the previous chunk (``None`` for a zero state) and returns the
    logits ``(B, T, V)`` and the state to carry on: ``h`` ``(B, H)`` for an RNN, ``(h, c)`` for an
    LSTM. Reading a text in chunks with the state carried gives the same logits as reading it at once.

    Example:
        >>> model = CharModel.lstm(vocabulary_size=77, hidden_size=16, seed=0)
        >>> logits, (h, c) = model(torch.zeros(2, 5, dtype=torch.long), None)
        >>> logits.shape, h.shape, parameter_count(model)
        (torch.Size([2, 5, 77]), torch.Size([2, 16]), 6909)
    """

    def __init__(self, core: nn.LSTM | nn.RNN, vocabulary_size: int, embedding_size: int) -> None:
        super().__init__()
        if not isinstance(core, (nn.LSTM, nn.RNN)):
            raise TypeError(f"core must be a torch.nn.LSTM or torch.nn.RNN, got {type(core).__name__}")
        check_torch_module("core", core, type(core))
        if not core.batch_first or core.input_size != embedding_size:
            raise ValueError(
                f"core must be batch-first with input_size = embedding_size = {embedding_size}, "
                f"got batch_first={core.batch_first}, input_size={core.input_size}"
            )
        self.vocabulary_size = check_positive_int("vocabulary_size", vocabulary_size)
        self.embedding = nn.Embedding(vocabulary_size, check_positive_int("embedding_size", embedding_size))
        self.core = core
        self.readout = nn.Linear(core.hidden_size, vocabulary_size)

    @classmethod
    def lstm(
        cls, vocabulary_size: int, hidden_size: int, embedding_size: int = 32, seed: int = 0, forget_bias: float = 1.0
    ) -> CharModel:
        """An LSTM language model, its weights drawn after ``torch.manual_seed(seed)``, with :math:`b_f` = ``forget_bias``.

        ``torch.nn.LSTM`` stacks its gates' rows in the order input, forget, candidate, output
        (i, f, g, o), so the forget gate's bias is rows ``H`` to ``2H``. PyTorch keeps two biases whose
        sum is the model's :math:`b`: as in :meth:`lstm_course.Predictor.to_torch`, ``bias_hh_l0`` is
        fixed at 0 and only ``bias_ih_l0`` trains, because Adam would move each of two biases by a
        full step and so move their sum twice as fast (and the sum would not be the forget bias set here).
        """
        check_positive_int("hidden_size", hidden_size)
        check_positive_int("embedding_size", embedding_size)
        torch.manual_seed(seed)
        core = nn.LSTM(embedding_size, hidden_size, batch_first=True)
        with torch.no_grad():
            core.bias_ih_l0[hidden_size : 2 * hidden_size] = forget_bias  # rows of f in (i, f, g, o)
        return cls(_one_trainable_bias(core), vocabulary_size, embedding_size)

    @classmethod
    def rnn(cls, vocabulary_size: int, hidden_size: int, embedding_size: int = 32, seed: int = 0) -> CharModel:
        """A tanh-RNN language model, its weights drawn after ``torch.manual_seed(seed)``.

        As in :meth:`lstm`, ``bias_hh_l0`` is fixed at 0, so the one bias that trains is ``bias_ih_l0``.
        """
        check_positive_int("hidden_size", hidden_size)
        check_positive_int("embedding_size", embedding_size)
        torch.manual_seed(seed)
        core = nn.RNN(embedding_size, hidden_size, batch_first=True)
        return cls(_one_trainable_bias(core), vocabulary_size, embedding_size)

    def forward(self, inputs: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State]:
        """The logits of the next character at every step, ``(B, T, V)``, and the last state."""
        inputs = check_character_inputs(inputs, self.vocabulary_size)
        x = self.embedding(inputs)  # (B, T, E)
        hidden, state = self.core(x, self._torch_state(state, x))  # (B, T, H); torch's states are (1, B, H)
        state = tuple(s[0] for s in state) if isinstance(state, tuple) else state[0]
        return self.readout(hidden), state  # (B, T, V)

    def hidden_states(self, inputs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Every hidden state ``h`` ``(B, T, H)`` and, for an LSTM, every cell state ``c`` ``(B, T, H)``, from a zero state.

        For an LSTM the states come from :meth:`lstm_course.LSTM.trace` on the core copied with
        :meth:`~lstm_course.LSTM.from_torch`: the equations run one step at a time, the same numbers
        as the fused kernel to float rounding. ``torch.nn.LSTM`` returns only the last ``c``. For an
        RNN, ``c`` is ``None``.
        """
        x = self.embedding(check_character_inputs(inputs, self.vocabulary_size))  # (B, T, E)
        if isinstance(self.core, nn.LSTM):
            trace = LSTM.from_torch(self.core).trace(x)
            return trace.hidden, trace.cell
        return self.core(x)[0], None

    def _torch_state(self, state: State | None, x: torch.Tensor) -> State | None:
        """Check ``state`` against the core and the batch of ``x``, and add torch's layer dimension."""
        if state is None:
            return None
        B, H = x.shape[0], self.core.hidden_size
        if isinstance(self.core, nn.LSTM):
            if not isinstance(state, tuple) or len(state) != 2:
                raise TypeError(f"state must be a pair (h, c) for an LSTM, or None, got {type(state).__name__}")
            return tuple(check_state(name, s, B, H, like=x)[None] for name, s in zip(("h", "c"), state))
        if isinstance(state, tuple):
            raise TypeError("state must be one tensor h for an RNN, or None, got a tuple")
        return check_state("state", state, B, H, like=x)[None]


def _one_trainable_bias(core: nn.LSTM | nn.RNN) -> nn.LSTM | nn.RNN:
    """``core`` with ``bias_hh_l0`` zeroed and frozen, so its bias is ``bias_ih_l0`` alone (see :meth:`CharModel.lstm`)."""
    with torch.no_grad():
        core.bias_hh_l0.zero_()
    core.bias_hh_l0.requires_grad_(False)
    return core


def parameter_count(model: nn.Module) -> int:
    """The number of trainable numbers in ``model`` (a bias fixed at 0, such as ``bias_hh_l0``, is not counted)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
