"""Writing text with a language model: each character drawn from the model's prediction, at a temperature."""

from __future__ import annotations

import torch

from ..validation import check_float_tensor, check_non_negative_int, check_positive_number
from .bits import CharacterModel
from .vocabulary import Vocabulary


def probabilities_at_temperature(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """:math:`\\operatorname{softmax}(z / T)` over the last dimension of the logits ``z``, at temperature ``T``.

    .. math::

        p_T(c) = \\frac{\\exp(z_c / T)}{\\sum_{c'} \\exp(z_{c'} / T)}

    At :math:`T = 1` these are the model's own probabilities. Dividing by :math:`T < 1` stretches
    the gaps between the logits, so the likely characters get likelier and the distribution
    sharpens; as :math:`T \\to 0` all the probability goes to the largest logit (the argmax).
    :math:`T > 1` shrinks the gaps and flattens the distribution towards the uniform :math:`1/V`.
    The order of the characters never changes.

    Example:
        >>> probabilities_at_temperature(torch.tensor([2.0, 0.0]), 1.0)
        tensor([0.8808, 0.1192])
        >>> probabilities_at_temperature(torch.tensor([2.0, 0.0]), 0.5)  # sharper
        tensor([0.9820, 0.0180])
        >>> probabilities_at_temperature(torch.tensor([2.0, 0.0]), 2.0)  # flatter
        tensor([0.7311, 0.2689])
    """
    logits = check_float_tensor("logits", logits)
    return torch.softmax(logits / check_positive_number("temperature", temperature), dim=-1)


@torch.no_grad()
def sample(
    model: CharacterModel,
    vocabulary: Vocabulary,
    prompt: str,
    length: int,
    temperature: float,
    generator: torch.Generator,
) -> str:
    """``length`` characters that continue ``prompt``, each drawn from the model's prediction at ``temperature``.

    The model reads the prompt, then draws the next character from
    :func:`probabilities_at_temperature` of its logits, reads that character, and so on, carrying
    its state. The draws use only ``generator``, so the same model, prompt and seeded generator
    write the same text. Returns the new characters, without the prompt. The model is left in
    evaluation mode.
    """
    prompt = vocabulary.check("prompt", prompt)
    if not prompt:
        raise ValueError("prompt must have at least one character for the model to read, got ''")
    check_non_negative_int("length", length, "characters to write")
    check_positive_number("temperature", temperature)
    if not isinstance(generator, torch.Generator):
        raise TypeError(f"generator must be a torch.Generator (seeded), got {type(generator).__name__}")
    if isinstance(model, torch.nn.Module):
        model.eval()
    logits, state = model(vocabulary.encode(prompt)[None], None)  # (1, len(prompt), V)
    written = []
    for _ in range(length):
        probabilities = probabilities_at_temperature(logits[0, -1], temperature)  # (V,)
        character = torch.multinomial(probabilities, 1, generator=generator)  # (1,)
        written.append(character.item())
        logits, state = model(character[None], state)  # (1, 1, V)
    return vocabulary.decode(written)
