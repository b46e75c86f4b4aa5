"""Put numbers and figures from the run into the prose (used by every chapter).

In the book build (``DLBOOK_BOOK_BUILD`` set by the book's Sphinx extension), ``glue`` hands the
value to myst-nb so the prose can cite it with ``{glue:text}`` or ``{glue:figure}``. Everywhere
else (Colab, a local Jupyter, even one with myst-nb installed, whose glue outputs no front end
draws) a figure is displayed where it is made; a number or a word is only recorded, since the Colab
notebook already prints the book's value in its text and the reader's own cells print theirs.

Every glued value is also recorded in this process (:func:`recorded`), so that a notebook run
outside the book can be compared with the book value by value (``booktools.notebooks.run``).

A matplotlib figure is rendered as a PNG at twice its resolution, marked to be shown at its
normal size, so it stays sharp on high-density screens and on paper.
"""

from __future__ import annotations

import io
import os

import numpy as np

#: Set by the book's Sphinx extension (booktools.sphinx) for the chapters it executes.
BOOK_BUILD_ENV = "DLBOOK_BOOK_BUILD"

#: Figures are rendered at this multiple of their own dots per inch and shown at normal size.
FIGURE_SCALE = 2


def _plain(value):
    """NumPy scalars become Python numbers, so the prose shows ``0.91``, not ``np.float32(0.91)``."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        raise ValueError(
            f"glue() takes one number, string or figure; got an array of shape {value.shape}. "
            "Glue each value you cite separately, e.g. float(a[0])."
        )
    return value


def sharp_image(figure):
    """A matplotlib ``Figure`` as a PNG image at ``FIGURE_SCALE`` times its resolution.

    The image carries its display size (``width``/``height`` metadata, half the pixels at the
    default scale of 2), which myst-nb writes into the page and Jupyter front ends honour.
    """
    from IPython.display import Image

    buffer = io.BytesIO()
    figure.savefig(
        buffer,
        format="png",
        dpi=FIGURE_SCALE * figure.dpi,
        bbox_inches="tight",
        facecolor=figure.get_facecolor(),
    )
    image = Image(data=buffer.getvalue(), format="png")
    image.width, image.height = (round(size / FIGURE_SCALE) for size in _png_size(buffer.getvalue()))
    return image


def _png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels, read from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG image")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _is_figure(value) -> bool:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return False
    return isinstance(value, Figure)


#: name -> value of everything glued in this process (figures as "<figure>"): see recorded().
_RECORDED: dict[str, object] = {}


def recorded() -> dict[str, object]:
    """Everything glued so far in this process: numbers and words as they were glued."""
    return dict(_RECORDED)


def glue(name: str, value, display: bool = False) -> None:
    """Record ``value`` under ``name`` for the prose.

    ``display=False`` (the default) hides the value in the cell's output in the book, where the
    prose shows it. Outside the book build a figure is always displayed, and a number or word
    only with ``display=True``. Returns nothing, so that a ``glue(...)`` on a cell's last line
    adds no output of its own.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue() needs a non-empty string name; got {name!r}.")
    value = _plain(value)
    is_figure = _is_figure(value)
    _RECORDED[name] = "<figure>" if is_figure else value
    if is_figure:
        value = sharp_image(value)
    nb_glue = None
    if os.environ.get(BOOK_BUILD_ENV):
        from myst_nb import glue as nb_glue
    if nb_glue is not None:
        nb_glue(name, value, display=display)
        return
    if not (is_figure or display):
        return
    try:
        from IPython.display import display as ipy_display
    except ImportError:  # plain Python: print numbers and words, skip figures
        if not is_figure:
            print(f"{name} = {value!r}")
        return
    ipy_display(value)
