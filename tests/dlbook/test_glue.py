"""dlbook.glue: values reach myst-nb in the book; where myst-nb is absent (Colab) figures are shown,
numbers are only recorded, and every value can be read back with recorded()."""

import numpy as np
import pytest

from dlbook.glue import BOOK_BUILD_ENV, glue


def test_glue_hands_plain_values_to_myst_nb(monkeypatch):
    import myst_nb

    monkeypatch.setenv(BOOK_BUILD_ENV, "1")

    received = []
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: received.append((name, value, display)))
    assert glue("acc", np.float32(0.5)) is None  # nothing for a cell's last line to print
    name, value, display = received[0]
    assert (name, display) == ("acc", False)
    assert type(value) is float  # a NumPy scalar would print as np.float32(0.5) in the prose


def test_outside_the_book_build_a_number_is_recorded_not_printed(monkeypatch, capsys):
    from dlbook.glue import recorded

    monkeypatch.delenv(BOOK_BUILD_ENV, raising=False)  # a notebook outside the book build
    glue("n_train", np.int64(60000))
    glue("word", "lower")
    assert capsys.readouterr().out == ""  # the Colab notebook's text already holds the book's value
    assert recorded()["n_train"] == 60000 and type(recorded()["n_train"]) is int
    assert recorded()["word"] == "lower"
    glue("n_train", 59000)  # the latest value counts, as in myst-nb
    assert recorded()["n_train"] == 59000


def test_outside_the_book_build_display_true_shows_the_value(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.delenv(BOOK_BUILD_ENV, raising=False)  # even with myst-nb installed, as here
    monkeypatch.setattr(IPython.display, "display", shown.append)
    glue("n", 3, display=True)
    assert shown == [3]


def test_outside_the_book_build_a_figure_is_displayed_sharp(monkeypatch):
    import IPython.display
    from IPython.display import Image

    from dlbook import plots
    from dlbook.glue import recorded

    shown = []
    monkeypatch.delenv(BOOK_BUILD_ENV, raising=False)  # even with myst-nb installed, as here
    monkeypatch.setattr(IPython.display, "display", shown.append)
    glue("fig-x", plots.probability_bars(np.full(10, 0.1)))
    assert len(shown) == 1 and isinstance(shown[0], Image)
    assert recorded()["fig-x"] == "<figure>"


def test_bad_input():
    with pytest.raises(ValueError, match="non-empty string name"):
        glue("", 1)
    with pytest.raises(ValueError, match=r"got an array of shape \(3,\)"):
        glue("a", np.zeros(3))


def test_a_figure_is_glued_sharp_at_its_normal_size(monkeypatch):
    import myst_nb

    monkeypatch.setenv(BOOK_BUILD_ENV, "1")
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
