"""Lessons: ready-made situations, each with what to look at.

A lesson is a configuration (any fields of ``config.PROPERTIES``), a title,
and a few sentences in our own words.  The page lists them as presets and
opens each from a link; ``tests/engine/test_lessons.py`` checks that every
lesson's claim holds in the engine's own numbers.
"""

from __future__ import annotations

from typing import Any

LESSONS: list[dict[str, Any]] = [
    {
        "id": "xor-needs-hidden",
        "title": "XOR needs a hidden layer",
        "config": {"dataset": "xor", "hidden_layers": []},
        "text": "With no hidden layer the network can only draw one straight line, and no straight line separates "
                "the four XOR corners: the loss stays near 0.69, a coin toss's, and the accuracy wanders between about "
                "35 % and 70 %. Press + to add a hidden layer of four neurons and play again; each hidden neuron draws its "
                "own line, and the output combines them.",
    },
    {
        "id": "activations-spiral",
        "title": "Sigmoid, tanh or ReLU on the spiral",
        "config": {"dataset": "spiral", "hidden_layers": [8, 8, 8], "activation": "sigmoid"},
        "text": "Play for a while with sigmoid, then switch the activation to tanh, then to ReLU (each switch "
                "rebuilds the network). Watch the test loss and the gradient panel: sigmoid squeezes every "
                "signal into (0, 1) and its derivative is at most 1/4, so three layers of it learn slowly; ReLU "
                "passes gradients through unchanged wherever a unit is active.",
    },
    {
        "id": "vanishing-gradients",
        "title": "Vanishing gradients in a deep sigmoid network",
        "config": {"dataset": "circle", "hidden_layers": [8, 8, 8, 8, 8, 8], "activation": "sigmoid"},
        "text": "Six sigmoid layers: look at the gradient panel. Every layer back multiplies the error signal by a "
                "slope of at most 1/4, so the first layer's gradient is thousands of times smaller than the last "
                "one's. Note the gap, then switch to ReLU: training restarts and the lines close up.",
    },
    {
        "id": "learning-rate-too-high",
        "title": "A learning rate that is too high",
        "config": {"dataset": "plane", "learning_rate": 1.0},
        "text": "Each update steps downhill by the learning rate times the gradient. Here the steps are so long that "
                "they overshoot the valley: the loss jumps up and down and, within a few hundred updates, climbs until "
                "the numbers overflow and training stops with a message. Lower the learning rate as the message suggests (a tenth of it), reset, "
                "and play again.",
    },
    {
        "id": "overfitting-and-l2",
        "title": "Overfitting on few noisy points, and what L2 does",
        "config": {"dataset": "xor", "n_samples": 60, "noise": 0.6, "hidden_layers": [16, 16],
                   "learning_rate": 0.1, "batch_size": 5},
        "text": "Sixty noisy points, a large network: the training loss falls to almost zero while the test loss "
                "climbs, as growing weights make the network ever surer of its answers, wrong ones too. Set "
                "Regularization to L2 and Reg. rate to 0.003, then reset: the weights stay small, the training loss "
                "stays above zero, and the test loss climbs less.",
    },
    {
        "id": "zero-init-symmetry",
        "title": "Zero initialisation cannot break symmetry",
        "config": {"dataset": "circle", "hidden_layers": [4, 4], "init": "zeros"},
        "text": "Every weight starts at zero. With tanh, as here, every hidden neuron outputs tanh(0) = 0, so no error "
                "reaches the hidden layers: only the output's bias moves. Switch to sigmoid: the weights move, "
                "but all neurons of a layer get the same gradient and stay identical copies. Then pick Xavier and "
                "tanh again: the neurons differ and learn the circle.",
    },
    {
        "id": "mse-vs-cross-entropy",
        "title": "MSE or cross-entropy for classification",
        "config": {"dataset": "circle", "loss": "mse", "output_activation": "sigmoid"},
        "text": "With a sigmoid output, the squared error's gradient carries the factor σ′(z), which is tiny when the "
                "output is confidently wrong, so mistakes are corrected slowly. Binary cross-entropy cancels that "
                "factor: its gradient at z is simply (ŷ − y)/N. Compare the accuracy at about 1000 updates with Loss "
                "set to Mean squared error and to Binary cross-entropy.",
    },
    {
        "id": "three-classes-softmax",
        "title": "Three classes with softmax",
        "config": {"dataset": "spiral3", "hidden_layers": [16, 16], "activation": "relu"},
        "text": "Three spiral arms need three output units. Softmax turns their scores into probabilities that sum "
                "to one, and cross-entropy rewards a high probability for the right arm. The output map colours "
                "each region by the most probable class. Give it time: the arms show after ten thousand updates or so.",
    },
]

LESSON = {lesson["id"]: lesson for lesson in LESSONS}
