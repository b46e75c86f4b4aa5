"""dlbook.claims.check: a checked sentence's condition; false, it stops a strict run and warns a reader."""

import numpy as np
import pytest

from dlbook.claims import STRICT_ENV, ClaimError, ClaimWarning


@pytest.fixture(autouse=True)
def strict_checking(monkeypatch):
    monkeypatch.setenv(STRICT_ENV, "1")  # as in the book build and the runs of the chapters


def test_claim_error_is_an_assertion_error():
    # a notebook cell that fails with it is reported as a failed check, like a plain assert
    assert issubclass(ClaimError, AssertionError)


# check(): the condition of a sentence the prose binds with {checked}`sentence <name>`


def test_check_records_the_condition_for_the_checked_sentence(monkeypatch):
    from dlbook import glue
    from dlbook.claims import CHECK_PREFIX, check

    check("relu_ends_higher", np.float32(0.97) > np.float32(0.93))
    assert glue.recorded()[CHECK_PREFIX + "relu_ends_higher"] is True


def test_a_false_check_stops_a_strict_run_naming_the_condition_and_warns_a_reader(monkeypatch):
    from dlbook.claims import check

    with pytest.raises(ClaimError, match=r'checked by "relu_ends_higher".*<relu_ends_higher>'):
        check("relu_ends_higher", 0.8 > 0.9)
    monkeypatch.delenv(STRICT_ENV)
    with pytest.warns(ClaimWarning, match='checked by "relu_ends_higher"'):
        check("relu_ends_higher", 0.8 > 0.9)
    monkeypatch.setenv(STRICT_ENV, "0")
    with pytest.warns(ClaimWarning):
        check("relu_ends_higher", 0.8 > 0.9)


def test_in_the_book_build_a_false_check_is_left_to_its_sentence(monkeypatch):
    """The book build reports a false condition with the sentence that states it (booktools.sphinx.checked),
    so the chapter runs on: every false sentence of the page is listed, not only the first."""
    from dlbook import glue
    from dlbook.claims import CHECK_PREFIX, check

    monkeypatch.setenv(glue.BOOK_BUILD_ENV, "1")
    calls = []
    monkeypatch.setattr("myst_nb.glue", lambda name, value, display: calls.append((name, value)))
    check("relu_ends_higher", 0.8 > 0.9)
    assert calls == [(CHECK_PREFIX + "relu_ends_higher", False)]


@pytest.mark.parametrize("condition", [0.93, 1, "yes", None, [True]])
def test_check_refuses_what_is_not_true_or_false(condition, monkeypatch):
    from dlbook.claims import check

    monkeypatch.delenv(STRICT_ENV)  # a malformed check is an error for everyone, readers too
    with pytest.raises(TypeError, match="comparison"):
        check("some_condition", condition)


def test_an_array_condition_is_refused_with_advice():
    from dlbook.claims import check

    with pytest.raises(TypeError, match=r"\.all\(\)"):
        check("some_condition", np.array([True, False]))


@pytest.mark.parametrize("name", ["", "two words", "checked:x", 3, "1st"])
def test_check_needs_a_name_the_prose_can_write(name):
    from dlbook.claims import check

    with pytest.raises(ValueError, match="letters, digits and _"):
        check(name, True)
