"""Every chapter on Keras' JAX and PyTorch backends (make backends writes _build/runs/<backend>).

The published book is built on TensorFlow. On the other backends the same seed gives other
starting weights, so results that depend on training differ; the prose says "about" for those.
Here, facts about the data and the network must match exactly, and the headline accuracies of
the well-trained configuration within two points.
"""

import ast
import json

import nbformat
import pytest

from .test_colab import BUILD, CHAPTERS, book_values

BACKENDS = ["jax", "torch"]

#: Values that do not depend on training: identical on every backend.
EXACT = {
    "book/tensors": "all",
    "book/preparing-data": ["scaled_mean", "scaled_std", "zero_fraction", "y_train0", "y_test0", "n_val"],
    "book/dense-network": ["n_params", "hidden_kernel_shape", "untrained_shape"],
    "book/training": ["steps_per_epoch", "n_updates", "chance_loss", "n_test", "final_lr"],
    "book/evaluation": ["n_test", "n_six", "never_six_accuracy", "cm_total"],
    "book/predictions": ["pred_shape", "n_test", "true11"],
    "book/backends-and-speed": "all",  # read from the benchmark's results file
    "book/how-learning-works": ["best_params", "batch_small_steps", "batch_large_steps"],
    "book/convolutional": ["cnn_params", "cnn_conv_params"],
    "book/draw-a-digit": ["draw_params"],
}
#: Results of training that the prose gives as "about": absolute tolerance.
APPROX = {
    "book/training": {"exp_lr": 0.02, "exp_relu": 0.03, "exp_30": 0.03, "final_test_acc": 0.02},
    "book/evaluation": {"test_acc": 0.02, "accuracy6": 0.01},
    "book/predictions": {"median_conf_right": 0.05},
    "book/how-learning-works": {"best_acc": 0.01, "act_relu": 0.02},
    "book/convolutional": {"cnn_acc": 0.005, "dense_acc": 0.01},
    "book/draw-a-digit": {"draw_test_acc": 0.01},
}


def run_values(path) -> dict:
    """Glued values in a notebook executed outside the book (myst-nb's glue outputs)."""
    values = {}
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook")
            if scrap:
                data = {k[len(scrap.get("mime_prefix", "")) :]: v for k, v in output["data"].items()}
                if "text/plain" in data and "image/png" not in data:
                    try:
                        values[scrap["name"]] = ast.literal_eval(data["text/plain"])
                    except (ValueError, SyntaxError):
                        values[scrap["name"]] = data["text/plain"]
    return values


@pytest.fixture(scope="module", params=BACKENDS)
def run(request):
    path = BUILD / "runs" / request.param / "run.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make backends` (make test does)")
    return request.param, json.loads(path.read_text())


pytestmark = pytest.mark.book


def test_every_chapter_ran_without_error(run):
    backend, report = run
    assert report["environment"]["keras_backend"] == backend
    assert sorted(report["notebooks"]) == sorted(CHAPTERS)
    failed = {name: r["error"] for name, r in report["notebooks"].items() if r["error"]}
    assert not failed, failed


@pytest.mark.parametrize("name", CHAPTERS)
def test_results_agree_with_the_tensorflow_book(run, name):
    backend, _ = run
    expected = book_values(name)
    got = run_values(BUILD / "runs" / backend / f"{name}.ipynb")
    exact = expected if EXACT[name] == "all" else {k: expected[k] for k in EXACT[name]}
    for key, value in exact.items():
        if isinstance(value, str):
            assert got.get(key) == value, f"{backend} {name} {key}"
        else:
            assert got.get(key) == pytest.approx(value, rel=1e-6), f"{backend} {name} {key}"
    for key, tolerance in APPROX.get(name, {}).items():
        assert got[key] == pytest.approx(expected[key], abs=tolerance), f"{backend} {name} {key}"
