"""Loading and preparing MNIST (taught in the chapters *Data as tensors* and *Preparing the data*).

``load_mnist()`` is ``keras.datasets.mnist.load_data()``; when the environment variable
``DLBOOK_MNIST`` names a local ``.npz`` file it loads and verifies that file instead, so the book
builds on machines without internet.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import numpy as np

ENV_VAR = "DLBOOK_MNIST"

#: What each array of MNIST must be: shape, dtype and the sha256 of its bytes
#: (``np.ascontiguousarray(a).tobytes()``), as published with the offline copy.
MNIST_ARRAYS = {
    "x_train": ((60000, 28, 28), "uint8", "741c988805d008ac6e4c904b69001ba184c24b2c540a4ef403f4c71b676cf757"),
    "y_train": ((60000,), "uint8", "1feba77c54802fa5339a11837ea4b2866434b83314ec45192930f1df69120c13"),
    "x_test": ((10000, 28, 28), "uint8", "6d87418db22cc8025d05968bec9bd5c3932904b23485740db143a061a2c9d161"),
    "y_test": ((10000,), "uint8", "ddeff807876a9661a1110d45c266c86239a3a1b7d37da0c3716a7a683c852ff5"),
}

NUM_CLASSES = 10
IMAGE_SHAPE = (28, 28)

_FIX = (
    f"Point {ENV_VAR} at an unmodified copy of MNIST in Keras' layout (an .npz file with "
    "x_train, y_train, x_test, y_test), or unset it to download MNIST through Keras."
)


class MnistFileError(ValueError):
    """The file named by ``DLBOOK_MNIST`` is not a usable copy of MNIST."""


def load_mnist():
    """Return MNIST as ``(x_train, y_train), (x_test, y_test)``, like Keras does.

    Without ``DLBOOK_MNIST`` this is exactly ``keras.datasets.mnist.load_data()`` (Keras
    downloads the file once, checks its hash and caches it). With ``DLBOOK_MNIST`` set to a
    path, that ``.npz`` file is loaded and every array is checked (shape, dtype, sha256) before
    anything is returned. Taught in chapter *Data as tensors*.
    """
    value = os.environ.get(ENV_VAR)
    if value is None:
        import keras

        return keras.datasets.mnist.load_data()
    if not value.strip():
        raise MnistFileError(
            f"{ENV_VAR} is set but empty. Set it to the path of mnist.npz "
            f"(e.g. export {ENV_VAR}=/data/mnist.npz), or unset it to download MNIST through Keras."
        )
    arrays = load_mnist_file(value)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_mnist_file(path) -> dict[str, np.ndarray]:
    """Load and verify an MNIST ``.npz`` file; return its four arrays by name.

    Raises ``FileNotFoundError`` for a missing file and ``MnistFileError`` (a ``ValueError``)
    for anything that is not exactly MNIST. Nothing is returned unless all four arrays pass.
    """
    path = Path(path).expanduser()
    where = f"{ENV_VAR}={path}"
    if not path.exists():
        raise FileNotFoundError(f"{where}: no such file. {_FIX}")
    if not path.is_file():
        raise MnistFileError(f"{where} is a directory, not a file. {_FIX}")
    try:
        # Opened here, not by np.load: NumPy leaves its own handle open when a truncated
        # archive fails to load.
        with path.open("rb") as handle:
            loaded = np.load(handle, allow_pickle=False)
            if not isinstance(loaded, np.lib.npyio.NpzFile):
                raise MnistFileError(f"{where} is a single .npy array, not an .npz archive. {_FIX}")
            with loaded as npz:
                missing = [key for key in MNIST_ARRAYS if key not in npz.files]
                if missing:
                    raise MnistFileError(
                        f"{where}: the file has no array named {', '.join(missing)} "
                        f"(it holds: {', '.join(npz.files) or 'nothing'}). {_FIX}"
                    )
                arrays = {key: npz[key] for key in MNIST_ARRAYS}
    except MnistFileError:
        raise
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        raise MnistFileError(
            f"{where} could not be read as an .npz archive ({type(err).__name__}: {err}). "
            f"The file may be truncated or not an .npz at all. {_FIX}"
        ) from err
    for key, (shape, dtype, sha256) in MNIST_ARRAYS.items():
        array = arrays[key]
        if array.shape != shape or array.dtype != np.dtype(dtype):
            raise MnistFileError(
                f"{where}: {key} should have shape {shape} and dtype {dtype}; "
                f"got shape {array.shape} and dtype {array.dtype}. {_FIX}"
            )
        digest = hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()
        if digest != sha256:
            raise MnistFileError(
                f"{where}: {key} has the right shape and dtype but different contents "
                f"(sha256 {digest[:12]}..., expected {sha256[:12]}...). The file is corrupt or "
                f"not the original MNIST. {_FIX}"
            )
    return arrays


def _check_images(images, name="images"):
    images = np.asarray(images)
    if images.ndim == 2 and images.shape == IMAGE_SHAPE:
        raise ValueError(
            f"{name} must be a batch with shape (n, 28, 28) or (n, 784); got one image of shape "
            f"{images.shape}. Pass a batch, e.g. {name}[None]."
        )
    if not (images.ndim == 3 and images.shape[1:] == IMAGE_SHAPE) and not (
        images.ndim == 2 and images.shape[1] == 784
    ):
        raise ValueError(f"{name} must have shape (n, 28, 28) or (n, 784); got {images.shape}.")
    return images


def prepare_images(images) -> np.ndarray:
    """Flatten ``(n, 28, 28)`` uint8 images to ``(n, 784)`` float32 in [0, 1].

    The steps of chapter *Preparing the data*, in one call.
    """
    images = _check_images(images)
    if images.dtype != np.uint8:
        raise ValueError(
            f"images must be raw uint8 pixels (0 to 255); got dtype {images.dtype}. "
            "Pass the arrays from load_mnist() before scaling them yourself."
        )
    return images.reshape(len(images), 784).astype("float32") / 255


def check_labels(labels, name="labels") -> np.ndarray:
    """Return ``labels`` as an integer array of digits 0-9, or raise a clear ``ValueError``."""
    labels = np.asarray(labels)
    if labels.ndim != 1:
        hint = " They look one-hot encoded; use labels.argmax(axis=1)." if labels.ndim == 2 else ""
        raise ValueError(f"{name} must be a 1-D array of digits; got shape {labels.shape}.{hint}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name} must be integers 0-9; got dtype {labels.dtype}.")
    if labels.size and (labels.min() < 0 or labels.max() >= NUM_CLASSES):
        raise ValueError(f"{name} must be digits 0-9; got values from {labels.min()} to {labels.max()}.")
    return labels


def prepare_labels(labels) -> np.ndarray:
    """One-hot encode digit labels with ``keras.utils.to_categorical`` (10 classes)."""
    import keras

    return keras.utils.to_categorical(check_labels(labels), NUM_CLASSES)


def split_validation(x, y, validation_size=10_000):
    """Hold out the last ``validation_size`` training examples for validation.

    Returns ``(x_train, y_train), (x_val, y_val)``. MNIST's training set is already in
    random order, so the last rows are a fair sample. Taught in *Preparing the data*.
    """
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length; got {len(x)} and {len(y)}.")
    if not 0 < validation_size < len(x):
        raise ValueError(
            f"validation_size must be between 1 and {len(x) - 1} for {len(x)} examples; "
            f"got {validation_size}."
        )
    cut = len(x) - validation_size
    return (x[:cut], y[:cut]), (x[cut:], y[cut:])


def load_prepared(validation_size=10_000):
    """MNIST ready for a dense network, as prepared in chapter *Preparing the data*.

    Returns ``(x_train, y_train), (x_val, y_val), (x_test, y_test)`` with images flattened to
    float32 ``(n, 784)`` in [0, 1] and labels one-hot ``(n, 10)``.
    """
    (x_train, y_train), (x_test, y_test) = load_mnist()
    (x_train, y_train), (x_val, y_val) = split_validation(x_train, y_train, validation_size)
    return tuple(
        (prepare_images(x), prepare_labels(y))
        for x, y in ((x_train, y_train), (x_val, y_val), (x_test, y_test))
    )
