r"""The fast paths: whole sequences forward, and back-propagation through time written by hand.

Autograd records about ten small operations per time step and replays them backwards one by one;
at the sizes of the course's experiments that bookkeeping, not the arithmetic, is most of the
cost. The two kernels here compute the equations of :mod:`lstm_course.cells` over a whole
sequence (the same numbers, to float rounding), keep every activation in preallocated buffers, and do everything that does not depend
on the recurrence for all steps at once. The tests check both against autograd through the cells.

- :class:`LSTMSequence` is the LSTM's (any subset of gates), used by :meth:`lstm_course.LSTM.forward`;
  about twice as fast as autograd through the cell.
- :class:`ParallelRNNSequence` runs ``N`` independent RNN predictors side by side, their weights
  stacked along a leading *member* dimension, used by :class:`lstm_course.parallel_rnns.ParallelRNNs` to train one RNN per
  seed in one batched computation.

**The LSTM's backward pass**, from the last step to the first, with :math:`\delta h_t` the gradient
reaching :math:`h_t` (from the output at step :math:`t` and from step :math:`t+1`):

.. math::
    \begin{aligned}
    \delta c_t &= \delta h_t \odot o_t \odot (1 - \tanh^2 c_t) + \delta c_{t+1} \odot f_{t+1} \\
    \delta z_{i,t} &= \delta c_t \odot g_t \odot i_t (1 - i_t) &
    \delta z_{f,t} &= \delta c_t \odot c_{t-1} \odot f_t (1 - f_t) \\
    \delta z_{g,t} &= \delta c_t \odot i_t \odot (1 - g_t^2) &
    \delta z_{o,t} &= \delta h_t \odot \tanh(c_t) \odot o_t (1 - o_t) \\
    \delta h_{t-1} &= \text{output gradient at } t-1 + \delta z_t W_h
    \end{aligned}

and :math:`\partial L / \partial W_h = \sum_t \delta z_t^\top h_{t-1}`, one matrix product for all steps.
A gate that is absent is the constant 1: its block of :math:`\delta z` disappears and it drops out
of the products above.

**The RNN's backward pass**, with :math:`\delta h_t` the gradient reaching :math:`h_t` from the
readout at step :math:`t` and from step :math:`t + 1`, and :math:`a_t` the pre-activation:

.. math::
    \delta a_t = (1 - h_t^2) \odot \delta h_t, \qquad
    \delta h_{t-1} = \text{readout gradient at } t - 1 + \delta a_t W_h, \qquad
    \frac{\partial L}{\partial W_h} = \sum_t \delta a_t^\top h_{t-1}.
"""

from __future__ import annotations

import torch
from torch import Tensor
from torch.autograd.function import FunctionCtx, once_differentiable

from .cells import gate_blocks


class LSTMSequence(torch.autograd.Function):
    """Run the LSTM recurrence over all steps; see the module docstring for the backward pass.

    Inputs: ``input_part`` ``(T, B, G*H)``, the input projection ``W_x x_t + b`` of every step,
    time first; ``W_h`` ``(G*H, H)``; ``h0``, ``c0`` ``(B, H)``; ``gates``, the present gates in
    stacking order. Outputs: every hidden state ``(T, B, H)`` and the last cell state ``(B, H)``.
    """

    @staticmethod
    def forward(
        ctx: FunctionCtx, input_part: Tensor, W_h: Tensor, h0: Tensor, c0: Tensor, gates: tuple[str, ...]
    ) -> tuple[Tensor, Tensor]:
        T, B, _ = input_part.shape
        H = W_h.shape[1]
        z = torch.empty_like(input_part)  # pre-activations, then activations in place: (T, B, G*H)
        c_all = input_part.new_empty(T + 1, B, H)  # c_0 ... c_T
        h_all = input_part.new_empty(T + 1, B, H)  # h_0 ... h_T
        tanh_c = input_part.new_empty(T, B, H)
        c_all[0] = c0
        h_all[0] = h0
        i, f, o, g = _per_step(gate_blocks(z, gates, H))
        opened = z[..., : len(gates) * H].unbind(0)  # every sigmoid gate of a step, side by side
        z_t, xw = z.unbind(0), input_part.unbind(0)
        c_next, h_next, shown = c_all[1:].unbind(0), h_all[1:].unbind(0), tanh_c.unbind(0)
        W_h_T = W_h.T
        h, c = h0, c0
        for t in range(T):
            torch.addmm(xw[t], h, W_h_T, out=z_t[t])  # (B, G*H)
            opened[t].sigmoid_()
            g[t].tanh_()
            # c_t = f_t * c_{t-1} + i_t * g_t, where an absent gate is 1
            if f is None:
                kept = c
            else:
                kept = torch.mul(f[t], c, out=c_next[t])
            if i is None:
                torch.add(kept, g[t], out=c_next[t])
            else:
                torch.addcmul(kept, i[t], g[t], out=c_next[t])
            torch.tanh(c_next[t], out=shown[t])
            if o is not None:  # h_t = o_t * tanh(c_t)
                torch.mul(o[t], shown[t], out=h_next[t])
            else:
                h_next[t].copy_(shown[t])
            h, c = h_next[t], c_next[t]
        ctx.gates = gates
        ctx.save_for_backward(z, c_all, h_all, tanh_c, W_h)
        return h_all[1:], c_all[T].clone()

    @staticmethod
    @once_differentiable
    def backward(ctx: FunctionCtx, grad_hidden: Tensor, grad_c_last: Tensor | None) -> tuple[Tensor | None, ...]:
        z, c_all, h_all, tanh_c, W_h = ctx.saved_tensors
        T, B, _ = z.shape
        H = W_h.shape[1]
        act = gate_blocks(z, ctx.gates, H)
        i, f, o, g = act["input"], act["forget"], act["output"], act["candidate"]

        # Everything that does not depend on the recurrence, for all steps at once:
        # delta z_t = dc_t * from_cell_t (blocks i, f, g) + dh_t * from_hidden_t (block o).
        from_cell = torch.zeros_like(z)  # (T, B, G*H)
        block = gate_blocks(from_cell, ctx.gates, H)
        if i is not None:
            block["input"].copy_(g * i * (1 - i))
        if f is not None:
            block["forget"].copy_(c_all[:-1] * f * (1 - f))
        block["candidate"].copy_(1 - g * g if i is None else i * (1 - g * g))
        to_cell = 1 - tanh_c * tanh_c if o is None else o * (1 - tanh_c * tanh_c)  # dc_t / dh_t, (T, B, H)
        from_hidden = None if o is None else (tanh_c * o * (1 - o)).unbind(0)

        dz = torch.empty_like(z)
        dz_t, dz_by_gate = dz.unbind(0), dz.view(T, B, -1, H).unbind(0)  # (B, G*H) and (B, G, H)
        dz_output = None if o is None else gate_blocks(dz, ctx.gates, H)["output"].unbind(0)
        from_cell_by_gate = from_cell.view(T, B, -1, H).unbind(0)
        to_cell_t, forget_t, grad_hidden_t = to_cell.unbind(0), _unbind(f), grad_hidden.unbind(0)
        dc = torch.zeros_like(c_all[0]) if grad_c_last is None else grad_c_last
        for t in reversed(range(T)):
            if t == T - 1:
                dh = grad_hidden_t[t]
            else:
                dh = torch.addmm(grad_hidden_t[t], dz_t[t + 1], W_h)  # (B, H)
                if forget_t is not None:
                    dc = dc * forget_t[t + 1]
            dc = torch.addcmul(dc, dh, to_cell_t[t])
            torch.mul(from_cell_by_gate[t], dc.unsqueeze(1), out=dz_by_gate[t])
            if dz_output is not None:
                dz_output[t].addcmul_(dh, from_hidden[t])

        grad_W_h = dz.reshape(T * B, -1).T @ h_all[:-1].reshape(T * B, H)  # (G*H, H)
        grad_h0 = dz_t[0] @ W_h
        grad_c0 = dc if f is None else dc * f[0]
        return dz, grad_W_h, grad_h0, grad_c0, None


class ParallelRNNSequence(torch.autograd.Function):
    """Run ``N`` RNN predictors over their batches of sequences from :math:`h_0 = 0`; backward by hand.

    Inputs: ``x`` ``(N, B, T, I)``, one batch per member; the members' weights ``W_x``
    ``(N, H, I)``, ``b`` ``(N, H)``, ``W_h`` ``(N, H, H)`` and readouts ``W_y`` ``(N, O, H)``,
    ``b_y`` ``(N, O)``. Output: the predictions :math:`\\hat y_t = W_y h_t + b_y` at every step,
    ``(N, T, B, O)``.

    Each member's states are stored step after step, ``(N, T, B, H)``, so that every product
    summed over the steps (the input projection, the readout, the weight gradients) is one
    batched matrix product over the members. The readout is inside the function
    so that the backward pass can skip it at the steps the loss does not read (a task scored at
    the last step reads one step in a hundred).
    """

    @staticmethod
    def forward(ctx: FunctionCtx, x: Tensor, W_x: Tensor, b: Tensor, W_h: Tensor, W_y: Tensor, b_y: Tensor) -> Tensor:
        N, B, T, I = x.shape
        x = x.transpose(1, 2).reshape(N, T * B, I)  # each member's steps, one after the other
        hidden = torch.baddbmm(b.unsqueeze(1), x, W_x.transpose(1, 2))  # u_t, then h_t: (N, T*B, H)
        steps = hidden.view(N, T, B, -1).unbind(dim=1)  # T views, each (N, B, H)
        h = steps[0].tanh_()  # h_0 = 0, so h_1 = tanh(u_1)
        W_h_T = W_h.transpose(1, 2)
        for t in range(1, T):
            h = torch.baddbmm(steps[t], h, W_h_T).tanh_()  # (N, B, H), contiguous: faster to step with
            steps[t].copy_(h)
        ctx.save_for_backward(x, hidden, W_h, W_y)
        out = torch.baddbmm(b_y.unsqueeze(1), hidden, W_y.transpose(1, 2))  # (N, T*B, O)
        return out.view(N, T, B, -1)

    @staticmethod
    @once_differentiable
    def backward(ctx: FunctionCtx, grad_out: Tensor) -> tuple[Tensor | None, ...]:
        x, hidden, W_h, W_y = ctx.saved_tensors
        N, T, B, O = grad_out.shape
        read = (grad_out.abs().amax(dim=(0, 2, 3)) > 0).tolist()  # the steps the loss reads
        delta_a = torch.addcmul(hidden.new_ones(()), hidden, hidden, value=-1)  # tanh' = 1 - h_t^2
        delta_steps = delta_a.view(N, T, B, -1).unbind(dim=1)
        delta_h = torch.zeros_like(delta_steps[0])  # (N, B, H), reused at every step
        for t in reversed(range(T)):  # delta_steps[t] becomes tanh'(a_t) * delta_h_t
            if t < T - 1:
                torch.bmm(delta_steps[t + 1], W_h, out=delta_h)  # from step t + 1
            if read[t]:
                delta_h.baddbmm_(grad_out[:, t], W_y)  # from the readout at step t
            delta_steps[t].mul_(delta_h)
        read_steps = [t for t in range(T) if read[t]]
        read_grad = grad_out[:, read_steps].reshape(N, -1, O)  # (N, S*B, O)
        read_hidden = hidden.view(N, T, B, -1)[:, read_steps].reshape(N, len(read_steps) * B, -1)
        grad_W_y = torch.bmm(read_grad.transpose(1, 2), read_hidden)
        # dL/dW_h = sum over t of delta_a_t^T h_{t-1}; the t = 1 term is zero because h_0 = 0
        grad_W_h = torch.bmm(delta_a[:, B:].transpose(1, 2), hidden[:, :-B])
        grad_W_x = torch.bmm(delta_a.transpose(1, 2), x)
        return None, grad_W_x, delta_a.sum(dim=1), grad_W_h, grad_W_y, grad_out.sum(dim=(1, 2))


def _unbind(stacked: torch.Tensor | None) -> tuple[torch.Tensor, ...] | None:
    """The steps of a time-first tensor as a tuple of views, or None."""
    return None if stacked is None else stacked.unbind(0)


def _per_step(views: dict[str, torch.Tensor | None]) -> list[tuple[torch.Tensor, ...] | None]:
    """The input, forget, output and candidate blocks, each split into per-step views (None if absent)."""
    return [_unbind(views[name]) for name in ("input", "forget", "output", "candidate")]
