"""The training loop: seeded and reproducible, it learns, it clips as promised, and training RNNs
together ends exactly as training each alone; plus held-out evaluation and the history's summaries."""

import copy
import dataclasses

import pytest
import torch

from lstm_course import LSTM, Predictor, tasks, training


def first_gradient(model, task, seed, batch_size):
    """The gradient of ``model``'s loss on the first training batch of ``seed``, all parameters flattened together."""
    model = copy.deepcopy(model)
    x, y = task.sample(batch_size, generator=torch.Generator().manual_seed(seed))
    task.loss(model(x), y).backward()
    return torch.cat([p.grad.flatten() for p in model.parameters()])


def flat_weights(model):
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def test_training_is_reproducible_and_its_seed_orders_the_batches():
    task = tasks.DelayedRecall(lag=3)
    first = training.train(Predictor.rnn(task, seed=0, hidden_size=16), task, steps=20, seed=1)
    model = Predictor.rnn(task, seed=0, hidden_size=16)
    torch.manual_seed(99)  # the global seed, drawn from after the model is built, does not matter
    again = training.train(model, task, steps=20, seed=1)
    other = training.train(Predictor.rnn(task, seed=0, hidden_size=16), task, steps=20, seed=2)
    assert first == again
    assert first.loss != other.loss


def test_training_learns_a_short_lag():
    task = tasks.DelayedRecall(lag=3)
    history = training.train(Predictor.rnn(task, seed=0, hidden_size=16), task, steps=150, seed=1)
    assert len(history.loss) == len(history.accuracy) == len(history.grad_norm) == 150
    assert history.final_accuracy() > 0.95


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_clipping_moves_the_weights_by_lr_times_clip_and_records_the_raw_norm(kind):
    """SGD's first step moves by lr times the clipped gradient (momentum has nothing to add yet)."""
    task, lr, clip, batch_size = tasks.DelayedRecall(lag=4), 1.0, 0.03, 16
    model = getattr(Predictor, kind)(task, seed=0, hidden_size=8)
    gradient = first_gradient(model, task, seed=3, batch_size=batch_size)
    assert gradient.norm() > 5 * clip  # so clipping has work to do
    before = flat_weights(model)
    history = training.train(model, task, steps=1, seed=3, optimizer="sgd", lr=lr, clip=clip, batch_size=batch_size)
    step = flat_weights(model) - before
    torch.testing.assert_close(step.norm(), torch.tensor(lr * clip), rtol=1e-4, atol=0.0)
    torch.testing.assert_close(step, -lr * clip * gradient / gradient.norm(), rtol=1e-3, atol=1e-7)
    assert history.grad_norm[0] == pytest.approx(gradient.norm().item(), rel=1e-5)


def test_train_together_clips_each_member_by_its_own_norm():
    task, lr, batch_size, seeds = tasks.DelayedRecall(lag=4), 0.1, 16, [0, 1]
    models = [Predictor.rnn(task, seed, hidden_size=8) for seed in seeds]
    with torch.no_grad():
        models[0].core.cell.W_h.mul_(10.0)  # only the first member's gradient explodes
    gradients = [first_gradient(model, task, seed, batch_size) for model, seed in zip(models, seeds)]
    norms = [gradient.norm().item() for gradient in gradients]
    assert norms[0] > 2 * norms[1]
    clip = (norms[0] * norms[1]) ** 0.5  # clips the first member and not the second
    before = [flat_weights(model) for model in models]
    histories = training.train_together(
        models, task, steps=1, seeds=seeds, optimizer="sgd", lr=lr, clip=clip, batch_size=batch_size
    )
    for model, weights, gradient, norm, history in zip(models, before, gradients, norms, histories):
        expected_step = -lr * gradient * min(1.0, clip / norm)
        torch.testing.assert_close(flat_weights(model) - weights, expected_step, rtol=1e-3, atol=1e-7)
        assert history.grad_norm[0] == pytest.approx(norm, rel=1e-5)


@pytest.mark.parametrize(
    ("task", "settings"),
    [
        (tasks.DelayedRecall(lag=6), {"optimizer": "adam", "lr": 3e-3}),
        (tasks.DelayedRecall(lag=6), {"optimizer": "sgd", "lr": 0.1, "clip": 0.05}),
        (tasks.AddingProblem(length=9), {"optimizer": "sgd", "lr": 0.05, "clip": 1.0}),
    ],
    ids=["adam", "sgd-clipped", "sgd-adding-problem"],
)
def test_train_together_ends_as_training_each_model_alone(task, settings):
    seeds = [3, 4, 5]
    together = [Predictor.rnn(task, seed, hidden_size=8) for seed in seeds]
    histories = training.train_together(together, task, steps=15, seeds=seeds, batch_size=16, **settings)
    for seed, model, history in zip(seeds, together, histories):
        alone = Predictor.rnn(task, seed, hidden_size=8)
        expected = training.train(alone, task, steps=15, seed=seed, batch_size=16, **settings)
        torch.testing.assert_close(torch.tensor(history.loss), torch.tensor(expected.loss), rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(
            torch.tensor(history.grad_norm), torch.tensor(expected.grad_norm), rtol=1e-4, atol=1e-6
        )
        assert history.accuracy == expected.accuracy
        torch.testing.assert_close(flat_weights(model), flat_weights(alone), rtol=1e-4, atol=1e-5)


def test_train_as_torch_trains_the_copy_brings_it_back_and_leaves_the_model_as_it_was():
    task = tasks.DelayedRecall(lag=4)
    model = Predictor.lstm(task, seed=0, hidden_size=8, gates=("input", "output"))
    before = copy.deepcopy(model.state_dict())
    trained, history = training.train_as_torch(model, task, steps=20, seed=3, lr=1e-2)
    fast = model.to_torch()
    expected = training.train(fast, task, steps=20, seed=3, lr=1e-2)
    assert history.loss == expected.loss
    x, _ = task.sample(5)
    assert isinstance(trained.core, LSTM)
    torch.testing.assert_close(trained(x), fast(x))
    assert (trained.core.trace(x).gates["forget"] == 1).all()  # still fixed at 1
    for name, value in model.state_dict().items():
        assert torch.equal(value, before[name]), name


def test_training_settings_are_frozen_and_default_to_adam_at_3e_3_on_batches_of_64():
    settings = training.TrainingSettings(steps=10)
    assert (settings.optimizer, settings.lr, settings.clip, settings.batch_size) == ("adam", 3e-3, None, 64)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.lr = 0.1


def test_evaluate_scores_the_same_held_out_batch_whatever_the_global_seed():
    task = tasks.DelayedRecall(lag=3)
    model = Predictor.rnn(task, seed=0, hidden_size=16)
    training.train(model, task, steps=30, seed=0)
    first = training.evaluate(model, task, batch_size=64)
    torch.manual_seed(99)
    assert training.evaluate(model, task, batch_size=64) == first
    x, y = task.sample(64, generator=torch.Generator().manual_seed(training.EVALUATION_SEED))
    with torch.no_grad():
        predictions = model(x)
    assert first.loss == pytest.approx(task.loss(predictions, y).item())
    assert first.accuracy == task.accuracy(predictions, y)


def test_moving_average_final_accuracy_and_steps_to_reach():
    history = training.History(accuracy=[0.0, 0.0, 1.0, 1.0, 1.0, 1.0])
    assert list(training.moving_average(history.accuracy, window=2)) == [0.0, 0.0, 0.5, 1.0, 1.0, 1.0]
    assert history.steps_to_reach(0.9, window=2) == 4
    assert history.steps_to_reach(0.9, window=6) is None
    assert history.final_accuracy(last=4) == 1.0
    assert history.final_accuracy(last=6) == pytest.approx(4 / 6)
