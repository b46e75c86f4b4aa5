"""dlbook.claims: a sentence about results fails loudly, and quotes itself, when the run contradicts it."""

import numpy as np
import pytest

from dlbook.claims import ClaimError, claim


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
