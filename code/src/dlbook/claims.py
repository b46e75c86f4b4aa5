"""Hold sentences about results to the run (used by every chapter that compares or judges).

A number in the prose is glued; a sentence that *compares* or *judges* results ("more epochs
help", "ReLU ends higher", an exercise solution's outcome) is checked with ``claim`` in a hidden
cell next to it. When a changed result makes the sentence false, the chapter stops with an
error that quotes the sentence, and the book build fails instead of printing it::

    claim(relu_acc > sigmoid_acc, "ReLU ends higher than the sigmoid after 5 epochs")

That is in the book build and in the checks that run the chapters elsewhere (``DLBOOK_STRICT``
set, as ``scripts/run_notebooks.py`` and the book's Sphinx extension do). A reader running a
notebook, who may have changed the code for an exercise, gets a warning that says which
sentence of the book their run differs from, and the notebook goes on.
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


def claim(condition, sentence: str) -> None:
    """Stop with a ``ClaimError`` quoting ``sentence`` unless ``condition`` is true (a
    ``ClaimWarning`` instead, where the claims are not checked strictly: see ``strict``).

    ``condition`` must be a real boolean (a comparison of measured values), not a number or an
    array, so that a typo such as ``claim(acc, ...)`` cannot pass by being non-zero.
    """
    if not isinstance(sentence, str) or not sentence.strip():
        raise ValueError(f"claim() needs the sentence it protects, as a non-empty string; got {sentence!r}.")
    condition = _condition(condition, "claim")
    if condition:
        return
    if strict():
        raise ClaimError(
            f'This run no longer supports the sentence: "{sentence}". '
            "Reword the prose to match the result (or find out what changed in the code)."
        )
    warnings.warn(
        ClaimWarning(
            f'Your run differs from the book here: the text says "{sentence}", and your results do '
            "not bear that out. That is expected if you changed the code (an exercise, say) or run "
            "on other hardware; the numbers in bold are the book's."
        ),
        stacklevel=2,
    )
