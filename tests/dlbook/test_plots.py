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


def test_bar_labels_are_plain_numbers_on_a_log_axis():
    fig = plots.bar_chart({"a": 4.1, "b": 110.86, "c": 1234.5}, xlabel="x", reference=1.0, log=True)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [text.get_text().strip() for text in ax.texts] == ["4.1", "111", "1230"]
    low, high = ax.get_xlim()
    assert low < 1.0 and high > 1234.5  # the reference line and every label's bar are in view


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


def test_confusion_matrix_colours_the_mistakes_not_the_diagonal():
    # 95 right answers per class would set the scale and wash out the mistakes
    y_true = np.repeat(np.arange(10), 100)
    y_pred = y_true.copy()
    y_pred[:5] = 6  # five 0s called 6: the largest mistake
    y_pred[100:102] = 7  # two 1s called 7
    fig = plots.confusion_matrix(y_true, y_pred)
    image = fig.axes[0].images[0]
    assert image.get_clim() == (0, 5.0)  # the colour scale runs up to the largest mistake
    shown = image.get_array()
    assert np.ma.is_masked(shown) and shown.mask[0, 0] and shown.mask[9, 9] and not shown.mask[0, 6]
    texts = np.array([t.get_text() for t in fig.axes[0].texts[:100]]).reshape(10, 10)
    assert texts[0, 6] == "5" and texts[1, 7] == "2" and texts[0, 0] == "95"
    assert "mistakes" in fig.axes[1].get_ylabel()  # the colour bar says what it measures


@pytest.mark.parametrize(
    "normalize, denominator, share_of",
    [("true", "row", "true digit"), ("pred", "column", "predicted digit"), ("all", "all", "all images")],
)
def test_normalised_confusion_matrix_prints_percent_and_says_what_of(normalize, denominator, share_of):
    y_true = np.repeat(np.arange(10), 200)
    y_pred = y_true.copy()
    y_pred[:3] = 6  # three of the two hundred 0s called 6: 1.5 % of the row
    fig = plots.confusion_matrix(y_true, y_pred, normalize=normalize)
    fig.canvas.draw()
    cm = np.zeros((10, 10))
    np.add.at(cm, (y_true, y_pred), 1)
    total = {"row": cm.sum(axis=1, keepdims=True), "column": cm.sum(axis=0, keepdims=True), "all": cm.sum()}
    shares = cm / total[denominator]
    texts = np.array([t.get_text() for t in fig.axes[0].texts[:100]]).reshape(10, 10)
    assert texts[0, 6] == f"{100 * shares[0, 6]:.1f}" and texts[3, 3] == f"{100 * shares[3, 3]:.1f}"
    assert texts[0, 6] != "0.0"  # two-decimal fractions made small mistakes read 0.00
    bar = fig.axes[1]
    assert share_of in bar.get_ylabel() and "%" in bar.get_ylabel()
    assert all(t.get_text().endswith("%") for t in bar.get_yticklabels() if t.get_text())


def test_normalised_colour_bar_ticks_read_with_the_cells_decimal():
    """Ticks at 0.5-point steps, one decimal as in the cells (they were 0.25 apart, 0.00%, 0.25%...)."""
    y_true = np.repeat(np.arange(10), 200)
    y_pred = y_true.copy()
    y_pred[:4] = 6  # the largest mistake: 2 % of the row
    fig = plots.confusion_matrix(y_true, y_pred, normalize="true")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[1].get_yticklabels() if t.get_text()]
    assert ticks == ["0.0%", "0.5%", "1.0%", "1.5%", "2.0%"]
    y_pred[:10] = 6  # 5 %: whole-percent ticks, still with the cells' one decimal
    fig = plots.confusion_matrix(y_true, y_pred, normalize="true")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[1].get_yticklabels() if t.get_text()]
    assert ticks == ["0.0%", "1.0%", "2.0%", "3.0%", "4.0%", "5.0%"]


def test_bar_chart_labels_with_the_decimals_asked_for():
    values = {"a": 4.45, "b": 12.0, "c": 0.5}
    default = [t.get_text().strip() for t in plots.bar_chart(values, xlabel="x").axes[0].texts]
    assert default == ["4.45", "12", "0.5"]  # three significant digits
    one = [t.get_text().strip() for t in plots.bar_chart(values, xlabel="x", decimals=1).axes[0].texts]
    assert one == [f"{v:.1f}" for v in values.values()]  # as a table that prints one decimal would


def test_confusion_matrices_side_by_side_share_one_colour_scale():
    y_true = np.repeat(np.arange(10), 100)
    few, many = y_true.copy(), y_true.copy()
    few[:2] = 6
    many[:8] = 6
    top = 8
    figs = [plots.confusion_matrix(y_true, y, mistakes_max=top) for y in (few, many)]
    assert [f.axes[0].images[0].get_clim() for f in figs] == [(0, 8.0), (0, 8.0)]
    # white text only where a cell is dark on the shared scale: 8 is, 2 is not
    assert figs[0].axes[0].texts[6].get_color() == "black" and figs[1].axes[0].texts[6].get_color() == "white"
    with pytest.raises(ValueError, match="below this matrix's largest mistake"):
        plots.confusion_matrix(y_true, many, mistakes_max=3)


def test_spread_tick_labels_tell_close_values_apart():
    fig = plots.spread([0.9021, 0.9043, 0.9067], reference=(0.904, 0.003))
    fig.canvas.draw()
    ax = fig.axes[0]
    labels = [
        t.get_text()
        for t in ax.get_xticklabels()
        if ax.get_xlim()[0] <= t.get_position()[0] <= ax.get_xlim()[1]
    ]
    assert len(labels) >= 3 and len(set(labels)) == len(labels), labels


def test_spread_ticks_a_quarter_point_apart_print_two_decimals():
    # ticks 0.25 points apart printed to one decimal read 92.0, 92.2, 92.5, 92.8 (issue 24, 10.)
    fig = plots.spread([0.9200, 0.9214, 0.9233, 0.9251, 0.9275])
    fig.canvas.draw()
    ax = fig.axes[0]
    shown = [t for t in ax.get_xticklabels() if ax.get_xlim()[0] <= t.get_position()[0] <= ax.get_xlim()[1]]
    for label in shown:
        assert float(label.get_text().rstrip("%")) == pytest.approx(100 * label.get_position()[0], abs=1e-9)


def test_feature_maps_share_one_colour_scale():
    maps = np.zeros((26, 26, 4))
    maps[..., 1] = 5.0  # one strong map, three silent ones
    fig = plots.feature_maps(maps, max_maps=4)
    clims = {ax.images[0].get_clim() for ax in fig.axes if ax.images}
    assert clims == {(0.0, 5.0)}  # a silent map must look silent, not rescaled to full contrast


def test_compare_curves_keeps_overlapping_lines_distinguishable():
    same = {"val_accuracy": [0.5, 0.6, 0.7]}
    fig = plots.compare_curves({"a": same, "b": same, "c": same})
    lines = fig.axes[0].get_lines()
    assert len({(str(line.get_linestyle()), line.get_marker()) for line in lines}) == 3
    assert lines[0].get_linewidth() > lines[-1].get_linewidth()  # the first is wider, underneath


def test_compare_curves_ticks_every_run_end_and_keeps_the_legend_off_the_lines():
    runs = {
        "5 epochs": {"val_accuracy": [0.5] * 5},
        "10": {"val_accuracy": [0.6] * 10},
        "20": {"val_accuracy": [0.7] * 20},
    }
    fig = plots.compare_curves(runs)
    ax = fig.axes[0]
    assert {1, 5, 10, 20} <= set(ax.get_xticks()) and len(ax.get_xticks()) <= 8
    fig.canvas.draw()
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= ax.get_window_extent().x1  # beside the plot, not over a line
    assert fig.get_window_extent().x1 >= legend.x1  # and not cut off
    assert list(plots.compare_curves({"a": {"val_accuracy": [0.1] * 3}}).axes[0].get_xticks()) == [1, 2, 3]


def test_bar_chart_legend_covers_no_bar():
    fig = plots.bar_chart(
        {"a long setting name, compiled": 3.0, "b": 20.0},
        xlabel="x",
        reference=1.0,
        reference_label="NumPy",
        log=True,
    )
    fig.canvas.draw()
    ax = fig.axes[0]
    assert ax.get_legend().get_window_extent().y0 >= ax.get_window_extent().y1 - 1


def test_show_digit_values_are_readable():
    image = np.zeros((28, 28), np.uint8)
    image[10:14, 12:15] = 200
    fig = plots.show_digit(image, values=True)
    whole, crop = fig.axes
    texts = [t.get_text() for t in crop.texts]
    assert texts.count("200") == 12 and all(t.get_fontsize() >= 8 for t in crop.texts)
    assert crop.images[0].get_array().shape == (6, 5)  # the inked part plus a one-pixel margin


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
        (lambda: plots.confusion_matrix([1, 2], [1, 2], normalize="row"), "'true', 'pred' or 'all'"),
        (lambda: plots.confusion_matrix([1, 2], [1, 2], mistakes_max=0), "positive number"),
        (lambda: plots.probability_bars(np.full((2, 10), 0.1)), r"Pick one row, e.g. predictions\[11\]"),
        (lambda: plots.pixel_histogram(np.array([])), "empty"),
        (lambda: plots.feature_maps(np.zeros((1, 26, 26, 32))), r"outputs\[0\]"),
        (lambda: plots.bar_chart({}, xlabel="x"), "at least one"),
        (lambda: plots.bar_chart({"a": float("nan")}, xlabel="x"), "finite"),
        (lambda: plots.bar_chart({"a": 0.0}, xlabel="x", log=True), "positive numbers"),
        (lambda: plots.bar_chart({"a": 1.0}, xlabel="x", decimals=-1), "whole number"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
