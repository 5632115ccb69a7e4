"""Synthetic sequence tasks that test memory, each with its chance level.

Every task samples batch-first inputs ``x`` of shape ``(B, T, input_size)`` and targets, and
scores a model's predictions of shape ``(B, T, output_size)`` (the readout applied to every
hidden state; each task picks the steps it scores). Two numbers say what "no memory" looks like:

- ``chance``: the accuracy of the best guess that does not look at the input;
- ``chance_loss``: the loss of that blind guess.

A model that ends training at these numbers has learned nothing about the past.

========================  ===========================================  =======
task                      what the model must remember                 chapter
========================  ===========================================  =======
:class:`DelayedRecall`    one symbol, for ``lag`` blank steps          1-4
:class:`AddingProblem`    two marked numbers among 100, to add them    2, 7
:class:`ContinualRecall`  the latest symbol of a stream, not the rest  4
:class:`MarkedRecall`     the marked symbol among distractors          5
:class:`CuedRecall`       a symbol held silently until a cue asks      6
:class:`EmbeddedReber`    the second symbol, through a grammar's loops 6
========================  ===========================================  =======
"""

from .adding import AddingProblem
from .cued import CuedRecall, CuedTargets
from .reber import EmbeddedReber, ReberTargets
from .recall import DelayedRecall, MarkedRecall, RecallAtTheEnd
from .stream import ContinualRecall
from .task import SymbolTask, Task

__all__ = [
    "AddingProblem",
    "ContinualRecall",
    "CuedRecall",
    "CuedTargets",
    "DelayedRecall",
    "EmbeddedReber",
    "MarkedRecall",
    "ReberTargets",
    "RecallAtTheEnd",
    "SymbolTask",
    "Task",
]
