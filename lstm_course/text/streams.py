"""Parallel streams through a text, read in chunks: the batches of truncated back-propagation through time."""

from __future__ import annotations

from collections.abc import Iterator

import torch

from ..validation import check_ids, check_positive_int


class Streams:
    """A text cut into ``batch_size`` contiguous streams, read side by side in chunks of ``chunk_length``.

    Back-propagating through half a million characters at once would hold every step's activations in
    memory and give one update per pass over the book. Truncated back-propagation through time reads the
    text in chunks of :math:`k` characters, carries the state :math:`(h, c)` from one chunk to the next
    (detached, so gradients stop at the chunk's start), and takes a step after each chunk. To use a
    batch of :math:`B` sequences, a text of :math:`N` characters is cut into :math:`B` streams of
    :math:`L = \\lfloor (N - 1) / B \\rfloor` characters each; stream :math:`b` starts at character
    :math:`bL`. Chunk :math:`j` holds characters :math:`jk` to :math:`jk + k - 1` of every stream, so
    chunk :math:`j` of stream :math:`b` continues chunk :math:`j - 1` of stream :math:`b`: the state a
    model carries in row :math:`b` of the batch is the state of the text it reads next in that row.

    Each chunk is a pair ``(inputs, targets)`` of LongTensors of shape ``(B, k)``: the targets are
    the inputs shifted by one character, the next character to predict at each step. The last chunk
    is shorter, :math:`L - k \\lfloor L/k \\rfloor` characters, when :math:`k` does not divide
    :math:`L`; it is kept, so every character of the streams is read. The last :math:`(N - 1) \\bmod B`
    characters of the text (fewer than :math:`B`) are in no stream.

    Attributes:
        inputs: ``(B, L)``, the streams' characters; row ``b`` is ``ids[b * L : (b + 1) * L]``.
        targets: ``(B, L)``, the character after each input, ``ids[b * L + 1 : (b + 1) * L + 1]``.

    Example:
        >>> streams = Streams(torch.arange(11), batch_size=2, chunk_length=3)
        >>> streams.inputs
        tensor([[0, 1, 2, 3, 4],
                [5, 6, 7, 8, 9]])
        >>> [inputs.tolist() for inputs, targets in streams]
        [[[0, 1, 2], [5, 6, 7]], [[3, 4], [8, 9]]]
    """

    def __init__(self, ids: torch.Tensor, batch_size: int, chunk_length: int) -> None:
        batch_size = check_positive_int("batch_size", batch_size)
        self.chunk_length = check_positive_int("chunk_length", chunk_length)
        ids = check_ids(ids, minimum=batch_size + 1)  # one input and its target per stream, at least
        stream_length = (len(ids) - 1) // batch_size
        used = batch_size * stream_length
        self.inputs = ids[:used].view(batch_size, stream_length)  # (B, L)
        self.targets = ids[1 : used + 1].view(batch_size, stream_length)  # (B, L)

    def __len__(self) -> int:
        """The number of chunks, the last one possibly shorter."""
        return -(-self.inputs.shape[1] // self.chunk_length)

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The chunks in order, each ``(inputs, targets)`` of shape ``(B, k)`` (the last maybe shorter)."""
        for start in range(0, self.inputs.shape[1], self.chunk_length):
            end = start + self.chunk_length
            yield self.inputs[:, start:end], self.targets[:, start:end]  # (B, k), (B, k)

    def __repr__(self) -> str:
        batch_size, stream_length = self.inputs.shape
        return (
            f"Streams(batch_size={batch_size}, stream_length={stream_length}, "
            f"chunk_length={self.chunk_length}, chunks={len(self)})"
        )
