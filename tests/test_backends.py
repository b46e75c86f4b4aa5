"""Every chapter on Keras' JAX and PyTorch backends (make backends writes _build/runs/<backend>).

The published book is built on TensorFlow. On the other backends the same seed gives other
starting weights, so results that depend on training differ; the prose says "about" for those.
Here, facts about the data and the network must match exactly, and the headline accuracies of
the well-trained configuration within two points.
"""

import json
from pathlib import Path

import pytest

from booktools import project

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
BACKENDS = ["jax", "torch"]


@pytest.fixture(scope="module", params=BACKENDS)
def backend_run(request):
    path = BUILD / "runs" / request.param / "run.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make backends` (make test does)")
    return request.param, json.loads(path.read_text())


pytestmark = pytest.mark.book


def test_every_chapter_ran_without_error(backend_run):
    backend, report = backend_run
    assert report["environment"]["keras_backend"] == backend
    assert sorted(report["notebooks"]) == sorted(project.chapters(ROOT))
    failed = {name: r["error"] for name, r in report["notebooks"].items() if r["error"]}
    assert not failed, failed


def test_the_chapters_before_evaluation_ran_with_the_test_set_sealed(backend_run):
    """booktools' seal_test_set.py was loaded in exactly the chapters before the evaluation chapter
    (and none of them gave a model a test image, or it would have failed)."""
    _, report = backend_run
    order = project.chapters(ROOT)
    sealed = {name for name, r in report["notebooks"].items() if r.get("test_set_sealed")}
    assert sealed == set(order[: order.index(project.TEST_SET_OPENED_IN)])


def test_the_run_executed_the_published_notebook(backend_run, chapter, ran_the_published_code):
    backend, _ = backend_run
    ran_the_published_code(BUILD / "runs" / backend, chapter)


def test_results_agree_with_the_tensorflow_book(backend_run, chapter, agrees_with_book):
    backend, report = backend_run
    agrees_with_book(chapter, report["notebooks"][chapter]["values"], backend)


def test_the_appendix_says_which_backend_executed_it(backend_run):
    """The appendix's statement of what executed the edition, in another backend's run."""
    backend, report = backend_run
    values = report["notebooks"]["book/backends-and-speed"]["values"]
    assert values["built_backend"] == {"jax": "JAX", "torch": "PyTorch"}[backend]
    assert values["built_keras"] == report["environment"]["keras_version"]
    assert values["built_device"] == "the CPU only (no GPU visible)"  # CI has no GPU
