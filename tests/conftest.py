"""Shared fixtures: MNIST, from DLBOOK_MNIST when set (offline), else through Keras (online)."""

import os
from pathlib import Path

import numpy as np
import pytest

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
