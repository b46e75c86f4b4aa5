"""dlbook.claims: a sentence about results fails loudly, and quotes itself, when the run contradicts it."""

import numpy as np
import pytest

from dlbook.claims import STRICT_ENV, ClaimError, ClaimWarning, claim


@pytest.fixture(autouse=True)
def strict_checking(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")  # as in the book build and the runs of the chapters


def test_a_readers_run_is_warned_not_stopped(monkeypatch):
    monkeypatch.delenv(STRICT_ENV)
    with pytest.warns(ClaimWarning, match='the text says "more epochs help a lot"'):
        claim(0.8 > 0.9, "more epochs help a lot")
    monkeypatch.setenv(STRICT_ENV, "0")
    with pytest.warns(ClaimWarning):
        claim(0.8 > 0.9, "more epochs help a lot")
    with pytest.raises(TypeError):  # a malformed claim is an error for everyone
        claim(0.93, "a sentence")


def test_true_claim_passes_silently():
    assert claim(0.92 > 0.70, "the larger learning rate ends higher") is None
    assert claim(np.float32(2.0) > np.float32(1.0), "numpy comparisons count") is None


def test_false_claim_quotes_its_sentence():
    with pytest.raises(ClaimError, match='"more epochs help a lot"'):
        claim(0.8 > 0.9, "more epochs help a lot")


def test_claim_error_is_an_assertion_error():
    # a notebook cell that fails with it is reported as a failed check, like a plain assert
    assert issubclass(ClaimError, AssertionError)


@pytest.mark.parametrize("condition", [0.93, 1, "yes", None, [True]])
def test_non_boolean_condition_is_refused(condition):
    with pytest.raises(TypeError, match="comparison"):
        claim(condition, "a sentence")


def test_array_condition_is_refused_with_advice():
    with pytest.raises(TypeError, match=r"\.all\(\)"):
        claim(np.array([True, False]), "a sentence")


@pytest.mark.parametrize("sentence", ["", "   ", None, 3])
def test_sentence_is_required(sentence):
    with pytest.raises(ValueError, match="sentence"):
        claim(True, sentence)
