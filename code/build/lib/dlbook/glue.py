"""Put numbers and figures from the run into the prose (used by every chapter).

In the book build, ``glue`` hands the value to myst-nb so the prose can cite it with
``{glue:text}`` or ``{glue:figure}``. Where myst-nb is not installed (Colab, a plain Jupyter)
the value is displayed instead, so the chapter still runs and the reader still sees it.
"""

from __future__ import annotations

import numbers

import numpy as np


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


def glue(name: str, value, display: bool = False):
    """Record ``value`` under ``name`` for the prose, and return it.

    ``display=False`` (the default) hides the value in the cell's output in the book, where the
    prose shows it. Outside the book build it is always shown.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"glue() needs a non-empty string name; got {name!r}.")
    value = _plain(value)
    try:
        from myst_nb import glue as nb_glue
    except ImportError:
        nb_glue = None
    if nb_glue is not None:
        nb_glue(name, value, display=display)
        return value
    try:
        from IPython.display import display as ipy_display
    except ImportError:  # plain Python: print numbers and text, skip figures
        if isinstance(value, (numbers.Number, str)):
            print(f"{name} = {value!r}")
        return value
    if isinstance(value, (numbers.Number, str)):
        print(f"{name} = {value!r}")
    else:
        ipy_display(value)
    return value
