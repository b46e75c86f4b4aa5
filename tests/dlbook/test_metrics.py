"""dlbook.metrics: the one-vs-rest table, per-class table, confused pairs, standard error, top-k."""

import math

import numpy as np
import pytest
from sklearn.metrics import confusion_matrix, precision_score, recall_score

from dlbook import metrics

rng = np.random.default_rng(1)
Y_TRUE = rng.integers(0, 10, 500)
Y_PRED = np.where(rng.random(500) < 0.7, Y_TRUE, rng.integers(0, 10, 500))
CM = confusion_matrix(Y_TRUE, Y_PRED, labels=range(10))


@pytest.mark.parametrize("digit", [0, 6, 9])
def test_binary_counts_match_a_direct_count(digit):
    counts = metrics.binary_counts(CM, digit)
    is_true, is_pred = Y_TRUE == digit, Y_PRED == digit
    assert counts == {
        "TP": int((is_true & is_pred).sum()),
        "FN": int((is_true & ~is_pred).sum()),
        "FP": int((~is_true & is_pred).sum()),
        "TN": int((~is_true & ~is_pred).sum()),
    }
    # ... and scikit-learn's binary confusion matrix of the same question: [[TN, FP], [FN, TP]].
    (tn, fp), (fn, tp) = confusion_matrix(is_true, is_pred)
    assert (counts["TN"], counts["FP"], counts["FN"], counts["TP"]) == (tn, fp, fn, tp)


def test_per_class_table_matches_scikit_learn():
    table = metrics.per_class_table(Y_TRUE, Y_PRED)
    assert list(table.columns) == ["precision", "recall", "support"]
    assert list(table.index) == list(range(10))
    np.testing.assert_allclose(table["recall"], recall_score(Y_TRUE, Y_PRED, average=None), atol=5e-4)
    np.testing.assert_allclose(table["precision"], precision_score(Y_TRUE, Y_PRED, average=None), atol=5e-4)
    assert table["support"].sum() == 500


def test_most_confused_skips_the_diagonal_and_sorts():
    cm = np.diag([50] * 10)
    cm[4, 9], cm[7, 2], cm[3, 5] = 12, 7, 9
    assert metrics.most_confused(cm, k=3) == [(4, 9, 12), (3, 5, 9), (7, 2, 7)]


def test_standard_error():
    assert metrics.accuracy_standard_error(0.9, 10_000) == pytest.approx(0.003)
    assert metrics.accuracy_standard_error(0.5, 100) == pytest.approx(math.sqrt(0.25 / 100))


def test_top_k_orders_by_probability():
    p = np.array([0.05, 0.1, 0.0, 0.0, 0.0, 0.15, 0.6, 0.0, 0.1, 0.0])
    assert metrics.top_k(p, 3) == [(6, pytest.approx(0.6)), (5, pytest.approx(0.15)), (1, pytest.approx(0.1))]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: metrics.binary_counts(np.zeros((3, 4), int), 0), "square"),
        (lambda: metrics.binary_counts(np.zeros((10, 10)), 0), "integer counts"),
        (lambda: metrics.binary_counts(CM, 10), "from 0 to 9"),
        (lambda: metrics.per_class_table(Y_TRUE, Y_PRED[:10]), "same length"),
        (lambda: metrics.per_class_table(Y_TRUE.astype(float), Y_PRED), "integers"),
        (lambda: metrics.per_class_table(np.eye(10, dtype=int), Y_PRED[:10]), "one-hot"),
        (lambda: metrics.most_confused(CM, k=0), "positive integer"),
        (lambda: metrics.accuracy_standard_error(90, 100), "between 0 and 1"),
        (lambda: metrics.accuracy_standard_error(0.9, 0), "positive integer"),
        (lambda: metrics.top_k(np.zeros((2, 10)), 3), r"predictions\[11\]"),
        (lambda: metrics.top_k(np.zeros(10), 11), "between 1 and 10"),
        (lambda: metrics.probability_percent(1.2), "between 0 and 1"),
        (lambda: metrics.probability_percent(0.5, decimals=1.5), "whole number"),
    ],
)
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(
    ("probability", "decimals", "text"),
    [
        (0.93, 1, "93.0%"),
        (0.9996, 1, "99.96%"),  # one decimal reads 100.0%: one more is needed
        (0.9996, 0, "99.96%"),
        (0.99951, 1, "99.95%"),
        (1.0, 1, "100.0%"),  # certainty is printed as it is
        (0.0, 1, "0.0%"),
        (0.00004, 1, "0.004%"),  # nor does a small probability read 0
        (1 - 1e-12, 1, "99.99999999%"),  # past eight more decimals: the last rounded down
        (0.5, 0, "50%"),
    ],
)
def test_probability_percent_never_reads_certain_when_it_is_not(probability, decimals, text):
    assert metrics.probability_percent(probability, decimals) == text
