"""Training several RNNs together gives each the same history and weights as training it alone."""

import pytest
import torch

from lstm_course import LSTM, RNN, ensembles, tasks, training


def rnn_predictors(task, seeds, hidden_size=8):
    models = []
    for seed in seeds:
        torch.manual_seed(seed)
        models.append(training.Predictor(RNN(task.input_size, hidden_size), task.output_size))
    return models


@pytest.mark.parametrize(
    ("task", "options"),
    [
        (tasks.DelayedRecall(lag=6), {"optimizer": "adam", "lr": 3e-3}),
        (tasks.DelayedRecall(lag=6), {"optimizer": "sgd", "lr": 0.1, "clip": 0.05}),
        (tasks.AddingProblem(length=9), {"optimizer": "sgd", "lr": 0.05, "clip": 1.0}),
    ],
)
def test_train_together_matches_training_each_model_alone(task, options):
    seeds = [3, 4, 5]
    together = rnn_predictors(task, seeds)
    histories = ensembles.train_together(together, task, steps=15, seeds=seeds, batch_size=16, **options)
    for seed, model, history in zip(seeds, together, histories):
        alone = rnn_predictors(task, [seed])[0]
        expected = training.train(alone, task, steps=15, seed=seed, batch_size=16, **options)
        torch.testing.assert_close(torch.tensor(history.loss), torch.tensor(expected.loss), rtol=1e-4, atol=1e-6)
        torch.testing.assert_close(
            torch.tensor(history.grad_norm), torch.tensor(expected.grad_norm), rtol=1e-4, atol=1e-6
        )
        assert history.accuracy == expected.accuracy
        for trained, reference in zip(model.parameters(), alone.parameters()):
            torch.testing.assert_close(trained, reference, rtol=1e-4, atol=1e-5)


def test_clipping_acts_on_each_member_separately():
    task = tasks.DelayedRecall(lag=4)
    models = rnn_predictors(task, [0, 1])
    with torch.no_grad():
        models[0].core.cell.W_h.mul_(10.0)  # only the first member's gradient explodes
    before = [p.detach().clone() for p in models[1].parameters()]
    histories = ensembles.train_together(models, task, steps=1, seeds=[0, 1], optimizer="sgd", lr=0.1, clip=1e-3)
    assert histories[0].grad_norm[0] > histories[1].grad_norm[0]
    step = torch.cat([(p - b).flatten() for p, b in zip(models[1].parameters(), before)])
    torch.testing.assert_close(step.norm(), torch.tensor(0.1 * 1e-3), rtol=1e-3, atol=0.0)


def test_ensemble_forward_matches_each_predictor():
    task = tasks.AddingProblem(length=7)
    models = rnn_predictors(task, [0, 1, 2])
    x = torch.stack([task.sample(4, generator=torch.Generator().manual_seed(k))[0] for k in range(3)])
    predictions = ensembles.RNNEnsemble(models)(x)
    assert predictions.shape == (3, 4, 7, 1)
    for k, model in enumerate(models):
        torch.testing.assert_close(predictions[k], model(x[k]))


def test_bad_arguments_are_named():
    task = tasks.DelayedRecall(lag=3)
    models = rnn_predictors(task, [0, 1])
    with pytest.raises(ValueError, match="seeds must hold one seed per model"):
        ensembles.train_together(models, task, steps=1, seeds=[0])
    with pytest.raises(TypeError, match="RNN core"):
        ensembles.train_together([training.Predictor(LSTM(4, 8), 4)], task, steps=1, seeds=[0])
    with pytest.raises(ValueError, match="same"):
        ensembles.RNNEnsemble([models[0], rnn_predictors(task, [2], hidden_size=5)[0]])
    with pytest.raises(ValueError, match="clip"):
        ensembles.train_together(models, task, steps=1, seeds=[0, 1], clip=0.0)
    with pytest.raises(TypeError, match="non-empty"):
        ensembles.train_together([], task, steps=1, seeds=[])


def test_models_must_fit_the_task_and_inputs_must_have_one_batch_per_member():
    task = tasks.DelayedRecall(lag=3)
    models = rnn_predictors(tasks.AddingProblem(length=5), [0, 1])
    with pytest.raises(ValueError, match="match the task"):
        ensembles.train_together(models, task, steps=1, seeds=[0, 1])
    with pytest.raises(ValueError, match=r"x must have shape \(members, batch, time, features\) = \(2, B, T, 2\)"):
        ensembles.RNNEnsemble(models)(torch.zeros(3, 4, 5, 2))


def test_rnn_predictors_match_models_built_one_at_a_time():
    task = tasks.DelayedRecall(lag=3)
    for seed, model in zip([4, 7], ensembles.rnn_predictors(task, [4, 7], hidden_size=6)):
        torch.manual_seed(seed)
        alone = training.Predictor(RNN(task.input_size, 6), task.output_size)
        for a, b in zip(model.parameters(), alone.parameters()):
            assert torch.equal(a, b)
