"""What a notebook run depends on besides its own cells, as one Python interpreter sees it.

The notebook runs (:mod:`booktools.notebooks.run`) execute chapters in a kernel of another
interpreter too: a bare virtual environment with Colab's versions, or the newest pinned ones,
where this package is not installed. They ask that interpreter by running this file with it,
which prints :func:`fingerprint` and :func:`describe` as JSON. So this file needs the standard
library alone (and Keras, for :func:`describe`).

    python -P environment.py
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import sys
from pathlib import Path

#: Environment variables that change what a chapter computes or how it runs.
SETTINGS = ("KERAS_BACKEND", "OMP_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "PYTHONHASHSEED")
#: Files of the helper package that no chapter's run depends on through the fingerprint: the
#: benchmark's results, which the one page that reads them pins by hash in its own cells
#: (dlbook.measurements.load), so that a benchmark run re-executes that page alone.
NOT_FINGERPRINTED = {"measurements.json"}
#: What a chapter's run imports or runs in, besides the standard library: the helper package (and
#: through it Keras, NumPy, matplotlib, pandas, scikit-learn), Keras' backends, the kernel, and
#: what executes and records a notebook for the book (nbclient, myst-nb, jupyter-cache). These and
#: everything they require are fingerprinted; the build's and the tests' own tools (jupyter-book's
#: theme, pytest, ruff, Playwright...) are not, so installing or upgrading one re-executes nothing.
RUNTIME_ROOTS = (
    "dlbook",
    "tensorflow",
    "tensorflow-cpu",
    "jax",
    "jaxlib",
    "torch",
    "ipykernel",
    "nbclient",
    "myst-nb",
    "jupyter-cache",
)


def _name(text: str) -> str:
    """A distribution's name as pip compares them: ``Scikit_Learn`` -> ``scikit-learn``."""
    return re.sub(r"[-_.]+", "-", text).lower()


def runtime_distributions() -> dict[str, str]:
    """Name -> version of every installed distribution a chapter's run can depend on: those of
    RUNTIME_ROOTS that are installed and, transitively, what they require (optional extras left
    out; platform markers ignored, which can only add a distribution that is installed anyway)."""
    installed = {  # a broken install (a dist-info folder without metadata) names nothing
        _name(d.metadata["Name"]): d for d in importlib.metadata.distributions() if d.metadata["Name"]
    }
    found, todo = {}, [_name(root) for root in RUNTIME_ROOTS]
    while todo:
        name = todo.pop()
        if name in found or name not in installed:
            continue
        found[name] = installed[name].version
        for requirement in installed[name].requires or []:
            requirement, _, marker = requirement.partition(";")
            if re.search(r"\bextra\s*==", marker):
                continue
            todo.append(_name(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement).group(1)))
    return found


def fingerprint() -> str:
    """A hash of everything a chapter's outputs depend on besides its own cells: the
    interpreter, the distributions a run depends on and their versions
    (:func:`runtime_distributions`), the files of the helper package ``dlbook`` (wherever it is
    installed from), the MNIST file and the settings in SETTINGS. The book build keys its
    execution cache on it too (booktools.sphinx.configure)."""
    digest = hashlib.sha256()

    def add(*parts):
        for part in parts:
            digest.update(part if isinstance(part, bytes) else str(part).encode())
            digest.update(b"\0")

    add(sys.version, sys.platform)
    add(*sorted(f"{name}=={version}" for name, version in runtime_distributions().items()))
    spec = importlib.util.find_spec("dlbook")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The helper package dlbook is not installed; run `make install`.")
    package = Path(next(iter(spec.submodule_search_locations)))
    files = (p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    for path in sorted(p for p in files if p.relative_to(package).as_posix() not in NOT_FINGERPRINTED):
        add(path.relative_to(package).as_posix(), path.read_bytes())
    mnist = os.environ.get("DLBOOK_MNIST")
    add(hashlib.sha256(Path(mnist).read_bytes()).hexdigest() if mnist and Path(mnist).is_file() else mnist)
    add(*(f"{name}={os.environ.get(name)}" for name in SETTINGS))
    return digest.hexdigest()


def describe() -> dict:
    """The interpreter, the Keras backend and version, and where the book's packages come from
    (``None``: not importable, as myst_nb and jupyter_book must not be in a bare environment)."""

    def where(module):
        spec = importlib.util.find_spec(module)
        return spec.origin if spec else None

    import keras

    return {
        "python": sys.executable,
        "keras_backend": keras.config.backend(),
        "keras_version": keras.__version__,
        "modules": {name: where(name) for name in ("dlbook", "myst_nb", "jupyter_book", "jupytext")},
    }


if __name__ == "__main__":
    print(json.dumps({"fingerprint": fingerprint(), "environment": describe()}))
