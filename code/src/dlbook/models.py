"""The book's dense network, built and trained exactly as chapters *Training* and *Improving training* do it.

Chapters that need a trained model (evaluation, predictions) call ``train_dense_network``
so that every chapter runs on its own, from a fresh kernel, with the same numbers.
"""

from __future__ import annotations

import numpy as np


def build_dense_network(hidden_units: int = 10, hidden_activation: str = "sigmoid"):
    """784 inputs -> ``hidden_units`` (``hidden_activation``) -> 10 softmax outputs.

    The network of chapter *A densely connected network*.
    """
    import keras

    if not isinstance(hidden_units, int) or hidden_units < 1:
        raise ValueError(f"hidden_units must be a positive integer; got {hidden_units!r}.")
    return keras.Sequential(
        [
            keras.Input(shape=(784,)),
            keras.layers.Dense(hidden_units, activation=hidden_activation),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


#: Training steps per call into the backend that the appendix *Backends and speed* recommends for
#: small networks, and measures; Keras' PyTorch backend runs exactly one step per call. The
#: benchmark (booktools.benchmark) reads this rule from here.
STEPS_PER_EXECUTION = 100
ONE_STEP_BACKENDS = frozenset({"torch"})


def fast_steps_per_execution(backend: str | None = None) -> int:
    """100 training steps per call into the backend, or 1 where Keras allows only one (PyTorch).

    ``backend`` defaults to the backend Keras is running on.
    """
    if backend is None:
        import keras

        backend = keras.config.backend()
    return 1 if backend in ONE_STEP_BACKENDS else STEPS_PER_EXECUTION


def _check_xy(x, y, name):
    x, y = np.asarray(x), np.asarray(y)
    if x.ndim != 2 or x.shape[1] != 784 or x.dtype != np.float32:
        raise ValueError(
            f"{name} images must be float32 with shape (n, 784); got {x.dtype} {x.shape}. "
            "Prepare them with dlbook.data.prepare_images."
        )
    if y.ndim != 2 or y.shape[1] != 10:
        raise ValueError(
            f"{name} labels must be one-hot with shape (n, 10); got {y.shape}. "
            "Encode them with keras.utils.to_categorical(labels, 10)."
        )
    if len(x) != len(y):
        raise ValueError(f"{name} images and labels differ in length: {len(x)} and {len(y)}.")


def train_dense_network(
    x_train,
    y_train,
    validation_data=None,
    *,
    seed: int = 0,
    hidden_units: int = 10,
    hidden_activation: str = "sigmoid",
    learning_rate: float = 0.01,
    batch_size: int = 100,
    epochs: int = 5,
    optimizer: str = "sgd",
    steps_per_execution: int | None = None,
    callbacks=None,
):
    """Seed, build, compile and fit the dense network; return ``(model, history)``.

    The defaults are the book's reference configuration (SGD with learning rate 0.01,
    batch size 100, 5 epochs). ``optimizer`` is ``"sgd"`` or ``"adam"``, with ``learning_rate``.
    ``steps_per_execution=None`` means ``fast_steps_per_execution()``. The same seed gives the
    same numbers on the same machine and backend.
    """
    import keras

    _check_xy(x_train, y_train, "training")
    if validation_data is not None:
        _check_xy(*validation_data, "validation")
    optimizers = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}
    if optimizer not in optimizers:
        raise ValueError(f"optimizer must be one of {sorted(optimizers)}; got {optimizer!r}.")
    keras.utils.set_random_seed(seed)
    model = build_dense_network(hidden_units, hidden_activation)
    model.compile(
        optimizer=optimizers[optimizer](learning_rate=learning_rate),
        loss="categorical_crossentropy",
        metrics=["accuracy"],
        steps_per_execution=steps_per_execution or fast_steps_per_execution(),
    )
    history = model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=validation_data,
        callbacks=callbacks,
        verbose=0,
    )
    return model, history


#: The learning rate chapter *Improving training* chooses on the validation set (the best of its
#: scan of 0.01, 0.1 and 1.0); the network, batch size and epochs stay the reference's.
FINAL_LEARNING_RATE = 1.0


def train_final_network(x_train, y_train, validation_data=None, *, seed: int = 0):
    """The network the evaluation and prediction chapters study, as chapter *Improving training* chose it.

    Same network, batch size and epochs as the reference; SGD with learning rate
    ``FINAL_LEARNING_RATE``. Returns ``(model, history)``.
    """
    return train_dense_network(
        x_train, y_train, validation_data, seed=seed, learning_rate=FINAL_LEARNING_RATE
    )


#: The dense network of the reader's own design that chapter *How learning works* arrives at,
#: checked there on the validation set; the draw-a-digit page runs it in the browser.
BEST_DENSE = {
    "hidden_units": 128,
    "hidden_activation": "relu",
    "optimizer": "adam",
    "learning_rate": 0.001,
    "batch_size": 100,
    "epochs": 10,
}
