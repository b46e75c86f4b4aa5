"""The test set is opened once, in the evaluation chapter: no chapter before it runs a model on it.

Chapters before *Evaluating the network* may load the test arrays, prepare them and count their
labels, but never evaluate, predict or call a model on them, in code cells or in the code an
exercise asks the reader to run. Every study there (learning rates, seeds, epochs) uses the
validation set.

The code cells are checked by following the data: the notebook runs (JAX, PyTorch, Colab's
versions, the newest pins) execute those chapters with booktools' seal_test_set.py loaded, which
stops a chapter when any model or layer is given a test image, whatever the array is called.
The tests below check that seal itself, that the chapters before evaluation are marked for it,
and that every run applied it.

From the evaluation chapter on, the test set is measured but never a build gate: no check reads a
model's results on it (tests/data_flow.py follows the data through each chapter's code).
"""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest

from booktools import project
from booktools.notebooks import colab, run
from tests import data_flow

ROOT = Path(__file__).resolve().parents[1]

FIRST_TO_OPEN_IT = project.TEST_SET_OPENED_IN
NOTEBOOKS = project.chapters(ROOT)
BEFORE = NOTEBOOKS[: NOTEBOOKS.index(FIRST_TO_OPEN_IT)]
IN_PROSE = re.compile(r"\b(?:evaluate|predict\w*|model|net|layer|cnn)\(\s*[xy]_te(?:st)?\b")

#: Each case runs after the seal in one Python process: (code, whether the seal must stop it).
CASES = [
    ("model.evaluate(x_test_prepared, y_test_onehot, verbose=0)", True),
    ("model.predict(x_eval[:5], verbose=0)", True),  # an alias of the test images
    ("model(x_test_prepared[:7])", True),
    ("keras.layers.Dense(3)(x_test_prepared[:4])", True),  # a layer called on test images
    (  # a helper given the test images as its validation data
        "models.train_dense_network(x_train_prepared[:200], y_train_onehot[:200],"
        " (x_test_prepared[:50], y_test_onehot[:50]), epochs=1)",
        True,
    ),
    (
        "model.fit(x_train_prepared[:200], y_train_onehot[:200],"
        " validation_data=(x_eval[:20], y_test_onehot[:20]), verbose=0)",
        True,
    ),
    ("model.predict(x_test[:3].reshape(3, 784), verbose=0)", True),  # raw pixels, not scaled
    ("model.predict(x_val, verbose=0)", False),
    ("model.fit(x_train_prepared[:200], y_train_onehot[:200], epochs=1, verbose=0)", False),
    ("np.bincount(y_test, minlength=10)", False),
    ("x_test_prepared.reshape(len(x_test_prepared), 28, 28).mean()", False),
    ("model.evaluate(x_val, y_test_onehot[:len(x_val)], verbose=0)", False),  # test labels are not images
]

SCRIPT = """
import json, sys
exec(open(sys.argv[1]).read())  # as IPython runs a startup file
import keras, numpy as np
from dlbook import data, models
(x_train, y_train), (x_test, y_test) = data.load_mnist()
x_train_prepared = x_train.reshape(60000, 784).astype("float32") / 255
x_test_prepared = x_test.reshape(10000, 784).astype("float32") / 255
x_eval = x_test_prepared
x_val = x_train_prepared[50000:50300]
y_train_onehot = keras.utils.to_categorical(y_train, 10)
y_test_onehot = keras.utils.to_categorical(y_test, 10)
model = keras.Sequential([keras.Input(shape=(784,)), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="sgd", loss="categorical_crossentropy")
stopped = {}
for code in json.loads(sys.argv[2]):
    try:
        exec(code)
        stopped[code] = None
    except AssertionError as err:
        stopped[code] = str(err)
print(json.dumps(stopped))
"""


@pytest.mark.slow
def test_the_seal_follows_the_data_not_the_names():
    codes = [code for code, _ in CASES]
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(run.SEAL), json.dumps(codes)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "tensorflow")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    stopped = json.loads(result.stdout.strip().splitlines()[-1])
    for code, must_stop in CASES:
        assert (stopped[code] is not None) is must_stop, f"{code}: {stopped[code]}"
        if must_stop:
            assert "images of the test set" in stopped[code] and "validation set" in stopped[code]


def test_the_chapters_before_evaluation_are_sealed_and_no_later_one():
    settings = project.read_settings(ROOT)
    for chapter in NOTEBOOKS:
        notebook = colab.colab_notebook(chapter, settings, ROOT, prose=False)
        sealed = notebook.metadata.get("dlbook", {}).get("test_set_sealed", False)
        assert sealed is (chapter in BEFORE), chapter


@pytest.mark.parametrize("name", BEFORE)
def test_no_exercise_before_evaluation_asks_to_run_a_model_on_the_test_set(name):
    """Code in the prose (an exercise's instructions) does not run, so it is read instead."""
    notebook = jupytext.read(ROOT / f"{name}.md")
    for cell in notebook.cells:
        if cell.cell_type != "code":
            prose = IN_PROSE.findall(cell.source)
            assert not prose, f"{name} asks the reader to run a model on the test set: {prose}"


def test_the_rule_covers_the_first_network_chapters():
    assert {"book/tensors", "book/preparing-data", "book/dense-network", "book/training"} <= set(BEFORE)
    assert FIRST_TO_OPEN_IT in NOTEBOOKS


# The test set is not a build gate: no check reads a model's results on it. A sentence about a test
# score, a test mistake or two networks compared on test images is words computed from the result
# (README, "Every claim is checked"); tests/data_flow.py follows the data to find such checks.

#: Checks that read test results and hold whatever the model computed, each with the reason.
TRUE_FOR_ANY_MODEL = {
    (
        "book/evaluation",
        "sixes_one_in_ten",
    ): "tp + fn counts the test images labelled 6, whatever the answers",
    (
        "book/evaluation",
        "pred_columns_add_to_one",
    ): "each column of a matrix divided by its column sums adds to 1",
    (
        "book/evaluation",
        "pred_diagonal_is_precision",
    ): "the diagonal of that matrix is the precision, by definition",
    ("book/predictions", "sure_over_90"): "the image is chosen for a top probability above 0.9",
    ("book/predictions", "shapes_as_reasoned"): "the shapes of predict's outputs, not their values",
}


def code_cells(name):
    return [cell.source for cell in jupytext.read(ROOT / f"{name}.md").cells if cell.cell_type == "code"]


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_no_check_reads_a_models_results_on_the_test_set(name):
    flagged = {check for check, _, _ in data_flow.checks_on_test_results(code_cells(name))}
    gates = sorted(check for check in flagged if (name, check) not in TRUE_FOR_ANY_MODEL)
    assert not gates, (
        f"{name}: the checks {gates} read a model's results on the test set, so a test score would "
        "fail the build. Say the result in words computed from it (glue a string) instead."
    )
    stale = [check for (chapter, check) in TRUE_FOR_ANY_MODEL if chapter == name and check not in flagged]
    assert not stale, f"{name}: {stale} no longer read test results; drop them from TRUE_FOR_ANY_MODEL."


FLOW_CASES = [  # (code, the checks that read a test result)
    ("acc = model.evaluate(x_test, y_test)[1]\ncheck('good', acc > 0.9)", {"good"}),
    (
        "x_eval = x_test[:100]\np = model.predict(x_eval)\nok = p.max() > 0.5\ncheck('sure', bool(ok))",
        {"sure"},
    ),
    ("maps = model.layers[0](x_test[:1])\ncheck('bright', bool(maps.max() > 0))", {"bright"}),
    (  # a helper given the test images as validation data
        "h = models.train_dense_network(x_train, y_train, (x_test, y_test))\n"
        "check('rises', h.history['val_accuracy'][-1] > 0.9)",
        {"rises"},
    ),
    (  # a list filled in a loop
        "scores = []\n"
        "for s in range(3):\n"
        "    scores.append(model.evaluate(x_test, y_test)[1])\n"
        "check('steady', max(scores) - min(scores) < 0.01)",
        {"steady"},
    ),
    (  # a function that reads the test images itself
        "def wrong():\n"
        "    return np.sum(model.predict(x_test).argmax(1) != y_test)\n"
        "check('few', wrong() < 100)",
        {"few"},
    ),
    ("table = {}\ntable['cnn'] = cnn.predict(x_test)\ncheck('cnn', bool(table['cnn'].max() > 0.5))", {"cnn"}),
    # facts about the data, and results on the validation set, are checks
    ("check('dark', bool(np.mean(x_test) < 0.2))\ncheck('ten', len(np.unique(y_test)) == 10)", set()),
    ("acc = model.evaluate(x_val, y_val)[1]\ncheck('val', acc > 0.9)", set()),
    (
        "def prepare(x):\n"
        "    return x.reshape(len(x), 784) / 255\n"
        "t = prepare(x_test)\n"
        "check('scaled', bool(t.max() <= 1))",
        set(),
    ),
    (
        "y = keras.utils.to_categorical(y_test, 10)\n"
        "x = keras.ops.convert_to_numpy(x_test)\n"
        "check('one_hot', bool(x.shape[0] == y.shape[0]))",
        set(),
    ),
]

LOADED = (
    "import numpy as np\nimport keras\n"
    "(x_train, y_train), (x_val, y_val), (x_test, y_test) = data.load_prepared()"
)


@pytest.mark.parametrize("code, expected", FLOW_CASES)
def test_the_data_flow_finds_the_checks_on_test_results(code, expected):
    assert {check for check, _, _ in data_flow.checks_on_test_results([LOADED, code])} == expected
