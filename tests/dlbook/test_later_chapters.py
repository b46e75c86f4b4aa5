"""Package functions added for the later chapters (how learning works, convolutional networks)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from dlbook import plots

#: A validation loss that falls to its lowest value at epoch 4 and then rises again.
CURVE = {"loss": [1.0, 0.6, 0.4, 0.3, 0.2, 0.1], "val_loss": [0.9, 0.6, 0.45, 0.4, 0.5, 0.7]}


class FakeHistory:
    """What ``fit`` returns: an object with a ``history`` dictionary."""

    def __init__(self, history):
        self.history = history


def _lines(fig):
    return fig.axes[0].get_lines()


def test_validation_loss_draws_the_curve_and_marks_its_minimum():
    fig = plots.validation_loss(FakeHistory(CURVE))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    curve, minimum = _lines(fig)[:2]
    np.testing.assert_array_equal(curve.get_xdata(), [1, 2, 3, 4, 5, 6])  # epochs counted from 1
    np.testing.assert_allclose(curve.get_ydata(), CURVE["val_loss"])  # validation, not training loss
    assert list(minimum.get_xdata()) == [4] and list(minimum.get_ydata()) == [0.4]
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "lowest: epoch 4" in labels
    assert fig.axes[0].get_ylabel() == "validation loss" and fig.axes[0].get_xlabel() == "epoch"


def test_validation_loss_accepts_a_plain_dict_and_draws_marks_where_asked():
    fig = plots.validation_loss(CURVE, marks={"stopped": 5, "kept": np.int64(2)})
    lines = _lines(fig)
    vertical = [line for line in lines[2:] if len(set(line.get_xdata())) == 1]
    assert sorted(line.get_xdata()[0] for line in vertical) == [2, 5]
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert "stopped" in labels and "kept" in labels


def test_validation_loss_minimum_follows_the_data():
    fig = plots.validation_loss({"val_loss": [3.0, 1.0, 2.0]})
    assert list(_lines(fig)[1].get_xdata()) == [2]


@pytest.mark.parametrize(
    ("history", "message"),
    [
        ({"loss": [1.0, 0.5]}, "validation_data"),
        ({"val_loss": [1.0]}, "at least two"),
        ({"val_loss": [1.0, float("nan")]}, "finite"),
        ([1.0, 2.0], "val_loss"),
    ],
)
def test_validation_loss_rejects_unusable_histories(history, message):
    with pytest.raises(ValueError, match=message):
        plots.validation_loss(history)


@pytest.mark.parametrize("epoch", [0, 7, 2.0, True, "3"])
def test_validation_loss_rejects_marks_outside_the_epochs(epoch):
    with pytest.raises(ValueError, match="from 1 to 6"):
        plots.validation_loss(CURVE, marks={"stopped": epoch})


def test_validation_loss_from_epoch_zooms_in_on_the_later_epochs():
    curve = {"val_loss": [5.0, 0.5, 0.4, 0.45, 0.6]}
    ax = plots.validation_loss(curve, from_epoch=2).axes[0]
    low, high = ax.get_ylim()
    assert 0.3 < low < 0.4 and 0.6 < high < 1.0  # fitted to 0.4 ... 0.6, not stretched to 5.0
    assert ax.get_xlim()[0] > 1  # epoch 1 is out of view
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), curve["val_loss"])  # all data kept
    assert plots.validation_loss(curve).axes[0].get_ylim()[1] > 5.0  # the default shows everything


@pytest.mark.parametrize("from_epoch", [0, 4, 1.5, True])
def test_validation_loss_keeps_the_lowest_point_in_view(from_epoch):
    with pytest.raises(ValueError, match="lowest point stays in view"):
        plots.validation_loss({"val_loss": [5.0, 0.5, 0.4, 0.45, 0.6]}, from_epoch=from_epoch)
