"""Shared fixtures: MNIST, from DLBOOK_MNIST when set (offline), else through Keras (online); the
book's glued values and how far a run outside the book may differ from them."""

import ast
import contextlib
import os
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import nbformat
import numpy as np
import pytest

from booktools import project
from booktools.notebooks import colab
from booktools.notebooks.run import code_cells
from dlbook import data


@pytest.fixture(scope="session")
def mnist_arrays() -> dict[str, np.ndarray]:
    try:
        (x_train, y_train), (x_test, y_test) = data.load_mnist()
    except Exception as err:  # a download failure, most likely: say what to do
        if os.environ.get("DLBOOK_MNIST"):
            raise
        pytest.fail(f"Keras could not download MNIST ({err}). Offline, set DLBOOK_MNIST (see README.md).")
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


@pytest.fixture(scope="session")
def mnist_path(mnist_arrays, tmp_path_factory) -> Path:
    """A real MNIST .npz in Keras' layout: the DLBOOK_MNIST file, or one written from Keras' copy."""
    if os.environ.get("DLBOOK_MNIST"):
        return Path(os.environ["DLBOOK_MNIST"])
    path = tmp_path_factory.mktemp("mnist") / "mnist.npz"
    np.savez_compressed(path, **mnist_arrays)
    return path


ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"

#: A test with a ``chapter`` argument runs once for each notebook chapter, one with ``book_page``
#: for every page of the book, one with ``prose_page`` for each page without code; all in
#: reading order, from the table of contents (read by booktools.notebooks.colab only).
CHAPTERS = project.chapters(ROOT)
PAGES = project.toc_pages(ROOT)
PARAMETERS = {"chapter": CHAPTERS, "book_page": PAGES, "prose_page": [p for p in PAGES if p not in CHAPTERS]}


#: Fixtures that read the notebook runs (_build/colab-run, _build/runs). A test that uses one is
#: marked ``runs``: `make test` runs the other tests while the runs go on, and these after them.
RUN_FIXTURES = {"colab_run", "backend_run", "ran_the_published_code"}


def pytest_collection_modifyitems(items):
    for item in items:
        if RUN_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.runs)


def pytest_generate_tests(metafunc):
    for name, values in PARAMETERS.items():
        if name in metafunc.fixturenames:
            metafunc.parametrize(name, values)


@pytest.fixture(scope="session")
def book_values():
    """name -> {glue name: value} of the book build (myst-nb writes the values beside the
    executed notebook): numbers and words, not figures."""

    def read(name: str) -> dict:
        try:
            glued = colab.glued_values(BUILD, name)  # the one reader of myst-nb's glue files
        except ValueError as err:
            pytest.fail(str(err))
        values = {}
        for key, text in glued.items():
            try:
                values[key] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                values[key] = text
        return values

    return read


#: Values that do not depend on training: identical on every backend.
EXACT = {
    "book/first-program": [],
    "book/tensors": "all",  # facts about the data, computed with NumPy
    "book/preparing-data": [
        "scaled_mean",
        "scaled_std",
        "zero_fraction",
        "y_train0",
        "y_test0",
        "n_val",
        "min_share",
        "max_share",
        "rarest_everywhere",
        "val_share_gap",
        "first_three_test",
        "narrow_shape",
        "true_division_dtype",
        "floor_max",
        "floor_kept",
        "test_flat_shape",
        "three_labels_shape",
    ],
    "book/dense-network": [
        "n_params",
        "n_weights",
        "n_biases",
        "hidden_kernel_shape",
        "untrained_shape",
        "hand_tolerance",
        "wide_params",
        "wide_hidden_share",
    ],
    "book/training": [
        "n_params",
        "steps_per_epoch",
        "n_updates",
        "steps_128",
        "last_128",
        "chance_loss",
        "steps_1000",
        "n_train",
        "sgd_default_lr",
    ],
    "book/improving-training": [
        "updates_ref",
        "updates_b50",
        "n_params",
        "n_hidden_kernel",
        "n_val",
        "final_lr",
        "wide_params",
        "updates_1000",
        "ref_lr",
    ],
    "book/evaluation": [
        "final_lr",
        "n_test",
        "n_six",
        "never_six_accuracy",
        "majority_digit",
        "majority_acc",
        "chance_acc",
        "never_six_sensitivity",
        "ref_lr",
    ],
    "book/predictions": [
        "final_lr",
        "pred_shape",
        "n_test",
        "true11",
        "shape_one",
        "shape_row",
        "shape_argmax",
    ],
    "book/backends-and-speed": "all",  # read from the benchmark's results file
    "book/how-learning-works": [
        "final_lr",
        "n_params",
        "of_params",
        "best_params",
        "batch_small_steps",
        "batch_large_steps",
        "sgd_default_lr",
        "sig_near",
        "best_target",
    ],
    "book/convolutional": ["cnn_params", "cnn_conv_params", "cnn_conv_share", "cnn_multiplications"],
    "book/draw-a-digit": ["draw_params"],
}
#: Values that say what executed the page (Keras version, backend, device): they differ from run
#: to run by design, so they are left out of the agreement checks and checked by what they say
#: (tests/test_backends.py, tests/test_colab.py).
ENVIRONMENT = {"book/backends-and-speed": {"built_keras", "built_backend", "built_device"}}
#: Results of training that the prose gives as "about": absolute tolerance.
APPROX = {
    "book/improving-training": {"exp_lr": 0.02, "exp_relu": 0.03, "exp_20": 0.03},
    "book/evaluation": {"test_acc": 0.02, "accuracy6": 0.01},
    "book/predictions": {"top_mean_conf": 0.01, "top_acc": 0.01},
    "book/how-learning-works": {"best_acc": 0.01, "act_relu": 0.02},
    "book/convolutional": {"cnn_acc": 0.005, "dense_acc": 0.01},
    "book/draw-a-digit": {"draw_test_acc": 0.01},
}


@pytest.fixture(scope="session")
def agrees_with_book(book_values):
    """Check a run's glued values against the book's: the values that do not depend on training
    exactly (EXACT), the training results the prose gives as "about" within APPROX. Used for the
    JAX and PyTorch runs and for the run on Colab's versions."""

    def check(name: str, got: dict, label: str) -> None:
        expected = book_values(name)
        exact = expected if EXACT[name] == "all" else {k: expected[k] for k in EXACT[name]}
        exact = {k: v for k, v in exact.items() if k not in ENVIRONMENT.get(name, set())}
        for key, value in exact.items():
            if isinstance(value, str):
                assert got.get(key) == value, f"{label} {name} {key}"
            else:  # float32 statistics differ in the 7th digit between NumPy versions (Colab's)
                assert got.get(key) == pytest.approx(value, rel=1e-5), f"{label} {name} {key}"
        for key, tolerance in APPROX.get(name, {}).items():
            assert got[key] == pytest.approx(expected[key], abs=tolerance), f"{label} {name} {key}"

    return check


@pytest.fixture(scope="session")
def ran_the_published_code():
    """Check that a notebook run (scripts/check-colab, scripts/run-chapters) executed exactly the
    code cells of the chapter's published Colab notebook (_build/notebooks): make gives the runs
    those cells alone, made from the sources before the book is built (booktools colab code)."""

    def check(run_dir: Path, chapter: str) -> None:
        published = nbformat.read(BUILD / "notebooks" / f"{chapter}.ipynb", as_version=4)
        executed = nbformat.read(run_dir / f"{chapter}.ipynb", as_version=4)
        assert code_cells(executed) == code_cells(published), f"{run_dir.name} ran other code in {chapter}"

    return check


@pytest.fixture
def serve():
    """``serve(handler)``: a context manager serving an http.server handler class on 127.0.0.1 in
    a thread, yielding the base URL (no trailing slash); the server stops and closes its socket on
    exit. For the tests of scripts that talk to GitHub or a published site."""

    @contextlib.contextmanager
    def serve(handler):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            server.server_close()
            thread.join()

    return serve
