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


def claim(condition, sentence: str) -> None:
    """Stop with a ``ClaimError`` quoting ``sentence`` unless ``condition`` is true (a
    ``ClaimWarning`` instead, where the claims are not checked strictly: see ``strict``).

    ``condition`` must be a real boolean (a comparison of measured values), not a number or an
    array, so that a typo such as ``claim(acc, ...)`` cannot pass by being non-zero.
    """
    if not isinstance(sentence, str) or not sentence.strip():
        raise ValueError(f"claim() needs the sentence it protects, as a non-empty string; got {sentence!r}.")
    if isinstance(condition, np.ndarray):
        raise TypeError(
            f"claim() takes one True or False, not an array of shape {condition.shape}; "
            "reduce it first, e.g. with .all() or .any()."
        )
    if not isinstance(condition, (bool, np.bool_)):
        raise TypeError(
            f"claim() takes a comparison (True or False); got {type(condition).__name__} {condition!r}. "
            "Write the relation the sentence states, e.g. claim(a > b, ...)."
        )
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
