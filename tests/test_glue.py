"""dlbook.glue: values reach myst-nb in the book, and are shown where myst-nb is absent (Colab)."""

import sys

import numpy as np
import pytest

from dlbook.glue import glue


def test_glue_hands_plain_values_to_myst_nb(monkeypatch):
    import myst_nb

    received = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: received.append((name, value, display)))
    assert glue("acc", np.float32(0.5)) == 0.5
    name, value, display = received[0]
    assert (name, display) == ("acc", False)
    assert type(value) is float  # a NumPy scalar would print as np.float32(0.5) in the prose


def test_without_myst_nb_the_value_is_shown(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # `import myst_nb` now fails, as in Colab
    assert glue("n_train", np.int64(60000)) == 60000
    assert capsys.readouterr().out.strip() == "n_train = 60000"


def test_without_myst_nb_a_figure_is_displayed(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setitem(sys.modules, "myst_nb", None)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    figure = object()
    glue("fig-x", figure)
    assert shown == [figure]


def test_bad_input():
    with pytest.raises(ValueError, match="non-empty string name"):
        glue("", 1)
    with pytest.raises(ValueError, match=r"got an array of shape \(3,\)"):
        glue("a", np.zeros(3))


def test_a_figure_is_glued_sharp_at_its_normal_size(monkeypatch):
    import myst_nb
    from IPython.display import Image

    from dlbook import plots
    from dlbook.glue import FIGURE_SCALE, _png_size

    received = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: received.append(value))
    figure = plots.probability_bars(np.full(10, 0.1))
    glue("fig-bars", figure)
    (image,) = received
    assert isinstance(image, Image)
    pixels = _png_size(image.data)
    # twice the pixels of the figure's own resolution, shown at half that size
    assert pixels[0] >= FIGURE_SCALE * figure.get_figwidth() * figure.dpi * 0.8
    _, metadata = image._repr_png_()
    assert (metadata["width"], metadata["height"]) == (round(pixels[0] / 2), round(pixels[1] / 2))


def test_png_size_refuses_other_data():
    from dlbook.glue import _png_size

    with pytest.raises(ValueError, match="not a PNG"):
        _png_size(b"GIF89a" + bytes(30))
