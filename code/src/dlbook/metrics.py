"""Tables and numbers about a classifier's results (chapters *Evaluation* and *Predictions*).

Convention used everywhere in the book, as in scikit-learn: in a confusion matrix ``cm``,
**rows are the true digit and columns the predicted digit**; ``cm[i, j]`` counts images of
digit ``i`` that the model called ``j``.
"""

from __future__ import annotations

import math

import numpy as np

from .data import NUM_CLASSES, check_labels


def _check_cm(cm):
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"a confusion matrix must be square (k, k); got shape {cm.shape}.")
    if not np.issubdtype(cm.dtype, np.integer) or (cm < 0).any():
        raise ValueError(f"a confusion matrix holds non-negative integer counts; got dtype {cm.dtype}.")
    return cm


def _check_pair(y_true, y_pred):
    y_true = check_labels(y_true, "y_true")
    y_pred = check_labels(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have the same length; got {len(y_true)} and {len(y_pred)}.")
    return y_true, y_pred


def binary_counts(cm, digit: int) -> dict[str, int]:
    """TP, FN, FP and TN for the one-vs-rest question "is it ``digit``?", read off ``cm``.

    TP is the diagonal cell, FN the rest of the digit's row, FP the rest of its column, and
    TN everything else.
    """
    cm = _check_cm(cm)
    if not (isinstance(digit, (int, np.integer)) and 0 <= digit < len(cm)):
        raise ValueError(f"digit must be an integer from 0 to {len(cm) - 1}; got {digit!r}.")
    tp = int(cm[digit, digit])
    fn = int(cm[digit, :].sum()) - tp
    fp = int(cm[:, digit].sum()) - tp
    tn = int(cm.sum()) - tp - fn - fp
    return {"TP": tp, "FN": fn, "FP": fp, "TN": tn}


def per_class_table(y_true, y_pred):
    """Precision, recall (sensitivity) and support of each digit, as a pandas DataFrame."""
    import pandas as pd
    from sklearn.metrics import precision_recall_fscore_support

    y_true, y_pred = _check_pair(y_true, y_pred)
    precision, recall, _, support = precision_recall_fscore_support(
        y_true, y_pred, labels=range(NUM_CLASSES), zero_division=0
    )
    table = pd.DataFrame(
        {"precision": precision, "recall": recall, "support": support},
        index=pd.Index(range(NUM_CLASSES), name="digit"),
    )
    return table.round({"precision": 3, "recall": 3})


def most_confused(cm, k: int = 3) -> list[tuple[int, int, int]]:
    """The ``k`` largest off-diagonal cells as ``(true digit, predicted digit, count)``."""
    cm = _check_cm(cm)
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}.")
    off = cm.copy()
    np.fill_diagonal(off, -1)
    order = np.argsort(off, axis=None, kind="stable")[::-1][:k]
    return [(int(i), int(j), int(cm[i, j])) for i, j in zip(*np.unravel_index(order, cm.shape), strict=True)]


def accuracy_standard_error(accuracy: float, n: int) -> float:
    """Standard error of an accuracy measured on ``n`` independent test images: sqrt(p(1-p)/n)."""
    if not 0 <= accuracy <= 1:
        raise ValueError(f"accuracy must be between 0 and 1; got {accuracy!r}.")
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}.")
    return math.sqrt(accuracy * (1 - accuracy) / n)


def top_k(probabilities, k: int = 3) -> list[tuple[int, float]]:
    """The ``k`` most probable digits of one probability vector, as ``(digit, probability)``."""
    p = np.asarray(probabilities)
    if p.ndim != 1:
        raise ValueError(
            f"top_k takes the probabilities of one image, shape (10,); got {p.shape}. "
            "Pick one row, e.g. predictions[11]."
        )
    if not 1 <= k <= len(p):
        raise ValueError(f"k must be between 1 and {len(p)}; got {k!r}.")
    order = np.argsort(-p, kind="stable")[:k]
    return [(int(i), float(p[i])) for i in order]


def probability_percent(probability: float, decimals: int = 1) -> str:
    """A probability in percent, with ``decimals`` decimals, or as many more as it takes not to
    read 100% when it is short of 1 (nor 0% when it is above 0): a network that gives its answer
    a probability of 0.9996 is nearly sure, not sure, and "100%" would say it was.

    >>> probability_percent(0.93)
    '93.0%'
    >>> probability_percent(0.9996)
    '99.96%'
    >>> probability_percent(0.9996, decimals=0)
    '99.96%'
    >>> probability_percent(1.0)
    '100.0%'
    """
    p = float(probability)
    if not 0 <= p <= 1:
        raise ValueError(f"probability must be between 0 and 1; got {probability!r}.")
    if not isinstance(decimals, (int, np.integer)) or decimals < 0:
        raise ValueError(f"decimals must be a whole number, 0 or more; got {decimals!r}.")
    for places in range(decimals, decimals + 8):
        text = f"{p:.{places}%}"
        shown = float(text[:-1])
        if not (shown == 100 and p < 1) and not (shown == 0 and p > 0):
            return text
    # Closer to 1 (or 0) than eight more decimals can show: the last decimal rounded away from it.
    scale = 10**places
    shown = math.floor(p * 100 * scale) / scale if p > 0.5 else math.ceil(p * 100 * scale) / scale
    return f"{shown:.{places}f}%"
