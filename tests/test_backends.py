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
    ],
    "book/dense-network": ["n_params", "n_weights", "n_biases", "hidden_kernel_shape", "untrained_shape"],
    "book/training": [
        "n_params",
        "steps_per_epoch",
        "n_updates",
        "steps_128",
        "last_128",
        "chance_loss",
        "steps_1000",
    ],
    "book/improving-training": [
        "updates_ref",
        "updates_b50",
        "n_params",
        "mults_per_image",
        "mults_per_batch",
        "final_lr",
        "wide_params",
        "updates_1000",
    ],
    "book/evaluation": [
        "final_lr",
        "n_test",
        "n_six",
        "never_six_accuracy",
        "majority_digit",
        "majority_acc",
    ],
    "book/predictions": ["final_lr", "pred_shape", "n_test", "true11"],
    "book/backends-and-speed": "all",  # read from the benchmark's results file
    "book/how-learning-works": [
        "final_lr",
        "n_params",
        "of_params",
        "best_params",
        "batch_small_steps",
        "batch_large_steps",
    ],
    "book/convolutional": ["cnn_params", "cnn_conv_params", "cnn_conv_share", "cnn_multiplications"],
    "book/draw-a-digit": ["draw_params"],
}
#: Results of training that the prose gives as "about": absolute tolerance.
APPROX = {
    "book/improving-training": {"exp_lr": 0.02, "exp_relu": 0.03, "exp_20": 0.03},
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
