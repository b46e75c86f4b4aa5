"""dlbook.plots.probability_cases, the figure of chapter *Making predictions*: draws what it is given."""

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from dlbook import plots

rng = np.random.default_rng(0)
IMAGES = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
PROBS = np.array(
    [
        [0.01, 0.02, 0.9, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01],
        [0.05, 0.05, 0.05, 0.45, 0.05, 0.05, 0.05, 0.05, 0.15, 0.05],
        [0.7, 0.02, 0.02, 0.02, 0.02, 0.02, 0.1, 0.02, 0.04, 0.04],
    ]
)
TRUE = np.array([2, 3, 6])


def bars(ax):
    return [patch for patch in ax.patches if isinstance(patch, matplotlib.patches.Rectangle)]


def test_panels_show_each_image_above_its_probabilities():
    before = dict(matplotlib.rcParams)
    fig = plots.probability_cases(IMAGES, PROBS, TRUE, titles=["a", "b", "c"])
    assert isinstance(fig, Figure)
    assert dict(matplotlib.rcParams) == before
    assert len(fig.axes) == 6  # one image and one bar chart per case
    # subplots fills row by row: the first three axes are the images
    images, charts = fig.axes[:3], fig.axes[3:]
    for j, (ax_image, ax_bars) in enumerate(zip(images, charts, strict=True)):
        np.testing.assert_array_equal(ax_image.images[0].get_array(), IMAGES[j])
        assert ax_image.get_title() == "abc"[j]
        filled = bars(ax_bars)[:10]
        np.testing.assert_allclose([b.get_height() for b in filled], PROBS[j])
        dark = [i for i, b in enumerate(filled) if to_hex(b.get_facecolor()) == plots.TRAIN_COLOR.lower()]
        assert dark == [int(PROBS[j].argmax())]  # only the predicted digit's bar is dark
        outline = bars(ax_bars)[10]
        assert not outline.get_fill()
        assert outline.get_x() + outline.get_width() / 2 == pytest.approx(TRUE[j])
        assert outline.get_height() == pytest.approx(PROBS[j, TRUE[j]])
        assert ax_bars.get_ylim() == pytest.approx((0, 1.05))  # one scale for all panels


def test_flat_images_and_a_single_case_are_accepted():
    fig = plots.probability_cases(IMAGES[:1].reshape(1, 784) / 255, PROBS[:1], TRUE[:1])
    assert len(fig.axes) == 2


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: plots.probability_cases(IMAGES[0], PROBS[:1], TRUE[:1]),
            r"Pass a batch, e.g. images\[None\]",
        ),
        (lambda: plots.probability_cases(IMAGES, PROBS[0], TRUE), r"shape \(k, 10\).*got \(10,\)"),
        (lambda: plots.probability_cases(IMAGES, PROBS[:, :9], TRUE), r"shape \(k, 10\)"),
        (lambda: plots.probability_cases(IMAGES, PROBS[:2], TRUE), "same length; got 3, 2 and 3"),
        (lambda: plots.probability_cases(IMAGES, PROBS, TRUE[:2]), "same length; got 3, 3 and 2"),
        (lambda: plots.probability_cases(IMAGES, PROBS, np.eye(10)[TRUE]), "one-hot"),
        (lambda: plots.probability_cases(IMAGES, PROBS, TRUE, titles=["a"]), "one entry per image"),
        (
            lambda: plots.probability_cases(np.zeros((7, 28, 28)), np.full((7, 10), 0.1), np.zeros(7, int)),
            "1 to 6 images; got 7",
        ),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
