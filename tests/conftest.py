"""Shared fixtures: the real MNIST file named by DLBOOK_MNIST, loaded once per session."""

import os
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def mnist_path() -> Path:
    value = os.environ.get("DLBOOK_MNIST")
    if not value:
        pytest.fail("Set DLBOOK_MNIST to the offline copy of MNIST (see README.md) to run the tests.")
    return Path(value)


@pytest.fixture(scope="session")
def mnist_arrays(mnist_path) -> dict[str, np.ndarray]:
    with np.load(mnist_path) as npz:
        return {key: npz[key] for key in npz.files}
