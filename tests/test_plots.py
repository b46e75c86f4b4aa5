"""dlbook.plots: every figure function returns a Figure in the book's style and checks its input."""

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from dlbook import plots

rng = np.random.default_rng(0)
IMAGES = rng.integers(0, 256, size=(30, 28, 28), dtype=np.uint8)
LABELS = np.arange(30) % 10


def test_figures_are_returned_and_style_stays_local():
    before = dict(matplotlib.rcParams)
    figures = [
        plots.show_digit(IMAGES[0], title="a digit"),
        plots.show_digit(IMAGES[0].reshape(784).astype("float32") / 255, values=True),
        plots.image_grid(IMAGES[:10], titles=list("abcdefghij")),
        plots.digit_grid(IMAGES, LABELS, per_class=3),
        plots.class_counts(LABELS, LABELS[:10]),
        plots.pixel_histogram(IMAGES),
        plots.network_diagram(),
        plots.learning_curves(
            {"loss": [2, 1], "accuracy": [0.5, 0.7], "val_loss": [1.5, 1], "val_accuracy": [0.6, 0.7]}
        ),
        plots.compare_curves({"a": {"val_accuracy": [0.1, 0.2]}, "b": {"val_accuracy": [0.3, 0.4]}}),
        plots.spread([0.6, 0.7], labels=["s0", "s1"], reference=(0.65, 0.01)),
        plots.confusion_matrix(LABELS, (LABELS + 1) % 10),
        plots.probability_bars(np.full(10, 0.1), true_label=3),
        plots.feature_maps(np.random.default_rng(0).random((26, 26, 32))),
        plots.bar_chart({"a": 1.0, "b": 2.5}, xlabel="x", reference=1.0, reference_label="ref"),
    ]
    assert all(isinstance(fig, Figure) for fig in figures)
    assert all(fig.get_facecolor()[:3] == (1.0, 1.0, 1.0) for fig in figures)  # light card for dark mode
    assert dict(matplotlib.rcParams) == before


def test_figures_are_not_left_open_in_pyplot():
    import matplotlib.pyplot as plt

    plt.close("all")
    plots.class_counts(LABELS, LABELS)
    assert plt.get_fignums() == []


def test_digit_grid_rows_hold_the_right_digits():
    fig = plots.digit_grid(IMAGES, LABELS, per_class=3)
    axes = np.array(fig.axes).reshape(10, 3)
    # Row d, column k shows the k-th image whose label is d.
    for digit in (0, 7):
        shown = axes[digit, 1].images[0].get_array()
        np.testing.assert_array_equal(shown, IMAGES[np.flatnonzero(LABELS == digit)[1]])


def test_confusion_matrix_counts_and_axis_labels():
    y_true = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 2, 0])
    fig = plots.confusion_matrix(y_true, y_pred)
    ax = fig.axes[0]
    assert ax.get_ylabel().startswith("true") and ax.get_xlabel().startswith("predicted")
    texts = [t.get_text() for t in ax.texts]
    assert texts[0 * 10 + 0] == "1" and texts[0 * 10 + 1] == "1" and texts[2 * 10 + 2] == "2"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: plots.show_digit(np.zeros((27, 28))), r"\(28, 28\) or \(784,\); got \(27, 28\)"),
        (lambda: plots.image_grid(np.zeros((28, 28))), r"Pass a batch"),
        (lambda: plots.image_grid(IMAGES[:3], titles=["a"]), "3 images but 1 titles"),
        (lambda: plots.image_grid(IMAGES[:0]), "empty batch"),
        (lambda: plots.digit_grid(IMAGES, LABELS[:5]), "30 images but 5 labels"),
        (lambda: plots.digit_grid(IMAGES, LABELS + 0.5), "integers"),
        (lambda: plots.learning_curves({"loss": [1.0]}), "compile the model with metrics"),
        (lambda: plots.compare_curves({}), "at least one"),
        (lambda: plots.spread([]), "non-empty"),
        (lambda: plots.spread([0.5, 0.6], labels=["one"]), "one label per value"),
        (lambda: plots.confusion_matrix([1, 2], [1]), "same length"),
        (lambda: plots.probability_bars(np.full((2, 10), 0.1)), r"Pick one row, e.g. predictions\[11\]"),
        (lambda: plots.pixel_histogram(np.array([])), "empty"),
        (lambda: plots.feature_maps(np.zeros((1, 26, 26, 32))), r"outputs\[0\]"),
        (lambda: plots.bar_chart({}, xlabel="x"), "at least one"),
        (lambda: plots.bar_chart({"a": float("nan")}, xlabel="x"), "finite"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
