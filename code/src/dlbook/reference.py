"""The reference training in plain NumPy: the yardstick the benchmark measures Keras against.

The book's reference network (784 inputs -> 10 sigmoid -> 10 softmax, ``models.build_dense_network``)
trained with SGD on the mean categorical cross-entropy, written out by hand: the forward pass, the
loss and the gradients of one step, all in float32 as Keras computes them. ``booktools.benchmark``
times ``train`` against ``model.fit``; the tests check that ``sgd_step`` gives Keras' numbers.

The weights are the list ``[w1, b1, w2, b2]`` of float32 arrays with shapes (784, 10), (10,),
(10, 10) and (10,), in the order of Keras' ``model.get_weights()``. ``sgd_step`` and ``train``
update these arrays **in place** (as Keras updates its variables) and copy nothing; pass
``[w.copy() for w in weights]`` to keep the originals. Images are float32 ``(n, 784)`` and labels
one-hot float32 ``(n, 10)``: ``data.load_prepared()`` gives float64 labels, so pass
``y.astype(np.float32)``. Anything else raises a ``ValueError`` that says what was expected.

The loss is computed from the logits, as ``log p = z - log(sum(exp(z)))``, which is what Keras
does on TensorFlow (it takes the softmax's input and calls ``softmax_cross_entropy_with_logits``)
and whose gradient is exactly ``p - y``, the gradient used here. On JAX and PyTorch, Keras instead
clips the probabilities to [1e-7, 1 - 1e-7] before the logarithm; the two agree unless an image's
true-digit probability falls below 1e-7 (a loss above 16 for that image) or rises above 1 - 1e-7
(a difference below 1.2e-7), which the reference training never comes near: after its 5 epochs
every training image's true-digit probability lies between 0.01 and 0.55.
"""

from __future__ import annotations

import numpy as np

#: The shapes of ``[w1, b1, w2, b2]``, as ``models.build_dense_network().get_weights()`` gives them.
SHAPES = [(784, 10), (10,), (10, 10), (10,)]


def _check(weights, x, y) -> None:
    if len(weights) != len(SHAPES) or any(
        not isinstance(w, np.ndarray) or w.dtype != np.float32 or w.shape != s
        for w, s in zip(weights, SHAPES, strict=True)
    ):
        got = [(w.dtype.name, w.shape) if isinstance(w, np.ndarray) else type(w).__name__ for w in weights]
        raise ValueError(
            f"weights must be a list of 4 float32 NumPy arrays [w1, b1, w2, b2] with shapes {SHAPES}, "
            f"as model.get_weights() gives them; got {got}. Convert with [np.asarray(w, np.float32) ...]."
        )
    for name, array, width, hint in (
        ("x", x, 784, "prepare images with dlbook.data.prepare_images"),
        ("y", y, 10, "one-hot labels from dlbook.data.prepare_labels are float64: use y.astype(np.float32)"),
    ):
        if not isinstance(array, np.ndarray) or array.dtype != np.float32 or array.shape[1:] != (width,):
            got = f"{array.dtype} {array.shape}" if isinstance(array, np.ndarray) else type(array).__name__
            raise ValueError(
                f"{name} must be a float32 NumPy array with shape (n, {width}); got {got}. "
                f"Everything here is float32 ({hint})."
            )
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(
            f"x and y must hold the same number (at least 1) of examples; got {len(x)} and {len(y)}."
        )


def _forward(weights, x):
    """The hidden layer's output h and the logits z (the softmax's input)."""
    w1, b1, w2, b2 = weights
    with np.errstate(over="ignore"):  # exp(-a) overflows to inf for a < -88: the sigmoid is then 0
        h = 1 / (1 + np.exp(-(x @ w1 + b1)))
    return h, h @ w2 + b2


def _step(weights, x, y, learning_rate: np.float32) -> np.float32:
    """One SGD step, unchecked: ``train`` checks its arguments once, not at every step."""
    w1, b1, w2, b2 = weights
    h, z = _forward(weights, x)
    z -= z.max(axis=1, keepdims=True)  # softmax is unchanged by the shift, and exp cannot overflow
    e = np.exp(z)
    total = e.sum(axis=1, keepdims=True)
    loss = -np.sum(y * (z - np.log(total))) / np.float32(len(x))  # mean of -sum(y * log p)
    dz = (e / total - y) / np.float32(len(x))  # d loss / d z: (p - y), averaged over the batch
    dh = (dz @ w2.T) * h * (1 - h)  # back through w2 and the sigmoid (whose derivative is h(1 - h))
    w2 -= learning_rate * (h.T @ dz)  # after dh, which needs w2 as it was in the forward pass
    b2 -= learning_rate * dz.sum(axis=0)
    w1 -= learning_rate * (x.T @ dh)
    b1 -= learning_rate * dh.sum(axis=0)
    return loss


def sgd_step(weights, x, y, learning_rate: float) -> float:
    """One SGD step on the batch ``x, y``, updating ``weights`` in place.

    Returns the batch's mean categorical cross-entropy of the forward pass, before the update (the
    loss Keras' ``train_on_batch`` returns), as a Python float.
    """
    _check(weights, x, y)
    return float(_step(weights, x, y, np.float32(learning_rate)))


def train(weights, x, y, epochs: int, batch_size: int, learning_rate: float) -> list[float]:
    """Train ``weights`` in place with SGD: batches in order, no shuffling, a last partial batch included.

    What ``model.fit(x, y, batch_size, epochs, shuffle=False)`` does. Returns each epoch's loss as
    Keras reports it: the mean over the epoch's examples (batch losses weighted by batch size).
    """
    _check(weights, x, y)
    for name, value in (("epochs", epochs), ("batch_size", batch_size)):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer; got {value!r}.")
    learning_rate = np.float32(learning_rate)  # a float64 learning rate would make the updates float64
    losses = []
    for _ in range(epochs):
        total = 0.0
        for i in range(0, len(x), batch_size):
            xb, yb = x[i : i + batch_size], y[i : i + batch_size]
            total += float(_step(weights, xb, yb, learning_rate)) * len(xb)
        losses.append(total / len(x))
    return losses


def accuracy(weights, x, y_onehot) -> float:
    """The share of images whose most probable digit is the labelled one (Keras' ``accuracy``)."""
    _check(weights, x, y_onehot)
    _, z = _forward(weights, x)  # softmax keeps the order of the logits: no need to compute it
    return float(np.mean(z.argmax(axis=1) == y_onehot.argmax(axis=1)))
