"""The test set is opened once, in the evaluation chapter: no chapter before it runs a model on it.

Chapters before *Evaluating the network* may load the test arrays, prepare them and count their
labels, but never evaluate, predict or call a model on them, in code cells or in the code an
exercise asks the reader to run. Every study there (learning rates, seeds, epochs) uses the
validation set.
"""

import ast
import re
from pathlib import Path

import colab
import jupytext
import pytest

ROOT = Path(__file__).resolve().parents[1]

FIRST_TO_OPEN_IT = "book/evaluation"
NOTEBOOKS = colab.chapters(ROOT)
BEFORE = NOTEBOOKS[: NOTEBOOKS.index(FIRST_TO_OPEN_IT)]

TEST_ARRAY = re.compile(r"^[xy]_te(st)?(_\w+)?$")  # x_test, y_test, x_test_flat, x_te, ...
MODEL_METHODS = {
    "evaluate",
    "predict",
    "predict_on_batch",
    "test_on_batch",
    "fit",
    "train_on_batch",
    "__call__",
}
NOT_MODELS = {
    "print", "len", "range", "sorted", "list", "tuple", "str", "int", "float", "bool", "round", "zip",
    "enumerate", "isinstance", "abs", "max", "min", "sum", "glue", "claim", "type", "repr", "dict", "set",
}  # fmt: skip
IN_PROSE = re.compile(r"\b(?:evaluate|predict\w*|model|net|layer|cnn)\(\s*[xy]_te(?:st)?\b")


def uses_of_the_test_set(source: str, own_functions: frozenset = frozenset()) -> list[str]:
    """The calls in ``source`` that run a model (``evaluate``, ``predict``, a called name) on a test array.

    Functions the chapter defines itself (``own_functions``, e.g. one that prepares every split
    the same way) are not models; their bodies are checked where they are defined.
    """
    found = []
    for node in ast.walk(_parse(source)):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        runs_a_model = (isinstance(func, ast.Attribute) and func.attr in MODEL_METHODS) or (
            isinstance(func, ast.Name) and func.id not in NOT_MODELS and func.id not in own_functions
        )
        arguments = [*node.args, *(keyword.value for keyword in node.keywords)]
        names = {n.id for a in arguments for n in ast.walk(a) if isinstance(n, ast.Name)}
        if runs_a_model and any(TEST_ARRAY.match(name) for name in names):
            found.append(ast.unparse(node))
    return found


def _parse(source: str) -> ast.Module:
    return ast.parse(
        "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    )


def defined_functions(sources: list[str]) -> frozenset:
    return frozenset(
        node.name
        for source in sources
        for node in ast.walk(_parse(source))
        if isinstance(node, ast.FunctionDef)
    )


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("model.evaluate(x_test, y_test, verbose=0)", True),
        ("p = model.predict(x_test[:5])", True),
        ("out = model(x_test[:7])", True),
        ("net.fit(x_train, y_train, validation_data=(x_test, y_test))", True),
        ("keras.ops.convert_to_numpy(layer(x_te))", True),
        ("model.evaluate(x_val, y_val)", False),
        ("np.bincount(y_test, minlength=10)", False),
        ("print(x_test.shape, len(y_test))", False),
        ("x_test_flat = x_test.reshape(len(x_test), 784)", False),
        ("%timeit model.predict(x_val)", False),
        ("def prepare(x, y):\n    return x / 255, y\nx_te, y_te = prepare(x_test, y_test)", False),
    ],
)
def test_the_detector_itself(source, flagged):
    assert bool(uses_of_the_test_set(source, defined_functions([source]))) is flagged


@pytest.mark.parametrize("name", BEFORE)
def test_no_chapter_before_evaluation_runs_a_model_on_the_test_set(name):
    notebook = jupytext.read(ROOT / f"{name}.md")
    own = defined_functions([cell.source for cell in notebook.cells if cell.cell_type == "code"])
    for cell in notebook.cells:
        if cell.cell_type == "code":
            uses = uses_of_the_test_set(cell.source, own)
            assert not uses, f"{name} uses the test set before {FIRST_TO_OPEN_IT}: {uses}"
        else:
            prose = IN_PROSE.findall(cell.source)
            assert not prose, f"{name} asks the reader to run a model on the test set: {prose}"


def test_the_rule_covers_the_first_network_chapters():
    assert {"book/tensors", "book/preparing-data", "book/dense-network", "book/training"} <= set(BEFORE)
    assert FIRST_TO_OPEN_IT in NOTEBOOKS
