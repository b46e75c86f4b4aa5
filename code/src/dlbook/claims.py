"""Hold sentences about results to the run (used by every chapter that compares or judges).

A number in the prose is glued; a sentence that *compares* or *judges* results ("more epochs
help", "ReLU ends higher", an exercise solution's outcome, a caption) is written once, with its
check: the chapter's code computes the condition, ::

    check("relu_beats_sigmoid", relu_acc > sigmoid_acc)

and the prose wraps the very words it guards, naming the condition::

    {checked}`ReLU ends higher than the sigmoid after five epochs <relu_beats_sigmoid>`

In the book build, a sentence whose condition is false (or missing, or not True/False) fails the
build, quoting the sentence (the book's Sphinx extension, booktools.sphinx.checked). The checks that
run the chapters elsewhere (``DLBOOK_STRICT`` set, as ``booktools.notebooks.run`` does) stop on a
false condition. A reader running a notebook, who may have changed the code for an exercise,
gets a warning that names the condition, and the notebook goes on.
"""

from __future__ import annotations

import os
import warnings

import numpy as np

#: Set (to anything but "" or "0") where a false claim must stop the run.
STRICT_ENV = "DLBOOK_STRICT"


def strict() -> bool:
    """Whether this process checks the book's claims strictly (see ``STRICT_ENV``)."""
    return os.environ.get(STRICT_ENV, "") not in ("", "0")


class ClaimError(AssertionError):
    """A sentence of the book that this run's results no longer support."""


class ClaimWarning(UserWarning):
    """A reader's run differs from a sentence of the book (outside the book's own checks)."""


#: The glue names of conditions (``check``) start with this; the book's ``{checked}`` role reads them.
CHECK_PREFIX = "checked:"


def _condition(condition, caller: str) -> bool:
    """``condition`` as a bool, refusing an array or a number (a typo must not pass by being non-zero)."""
    if isinstance(condition, np.ndarray):
        raise TypeError(
            f"{caller}() takes one True or False, not an array of shape {condition.shape}; "
            "reduce it first, e.g. with .all() or .any()."
        )
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(
            f"{caller}() takes a comparison (True or False); got {type(condition).__name__} {condition!r}. "
            "Write the relation the sentence states, e.g. a > b."
        )
    return bool(condition)


def check(name: str, condition) -> None:
    """Compute the condition of a sentence of the book, which the prose binds with
    ``{checked}`sentence <name>```: in the book build the sentence fails the build unless the
    condition is true.

    Elsewhere a false condition stops a strict run (``DLBOOK_STRICT``: the checks that run the
    chapters on other backends and on Colab's versions) with a ``ClaimError``, and warns a
    reader, whose own run (an exercise, other hardware) may well differ from the book's.
    """
    from . import glue as _glue

    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(
            f"check() needs a name made of letters, digits and _ (like relu_beats_sigmoid); got {name!r}."
        )
    holds = _condition(condition, "check")
    _glue.glue(CHECK_PREFIX + name, holds)
    if holds or os.environ.get(_glue.BOOK_BUILD_ENV):
        return  # in the book build, the sentence itself reports a false condition
    if strict():
        raise ClaimError(
            f'This run no longer supports the sentence of the book checked by "{name}" '
            "(search the chapter for <" + name + ">). Reword the prose to match the result, or find out "
            "what changed in the code."
        )
    warnings.warn(
        ClaimWarning(
            f'Your run differs from the book here: the sentence checked by "{name}" does not hold for '
            "your results. That is expected if you changed the code (an exercise, say) or run on "
            "other hardware; the numbers in bold are the book's."
        ),
        stacklevel=2,
    )
