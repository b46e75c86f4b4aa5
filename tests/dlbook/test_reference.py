"""dlbook.reference: the plain-NumPy reference training gives Keras' numbers, in float32.

Tolerances, from what was measured on the TensorFlow backend: one ``sgd_step`` gives exactly the
loss of Keras' ``train_on_batch``, and weights at most 3.7e-9 from Keras' (the last bit of a weight
of size 0.05, where updates reach 8e-4): the two sum the matrix products in different orders. After
two epochs (22 steps) the losses of ``fit`` differ by 1.5e-7 relative, the weights by 1.5e-8. The
weights are compared with rtol 1e-6 (8 float32 ulps) and atol 1e-8: the largest difference seen
uses a tenth of that, room for other CPUs and math libraries, while a gradient off by 0.1% of an
update fails. Losses: rtol 1e-6.
"""

import numpy as np
import pytest

from dlbook import data, models, reference

RTOL, ATOL = 1e-6, 1e-8  # weights: see the module docstring
LOSS_RTOL = 1e-6


@pytest.fixture(scope="module")
def batch(mnist_arrays):
    """1050 real training images and float32 one-hot labels: 10 batches of 100 and one of 50."""
    x = data.prepare_images(mnist_arrays["x_train"][:1050])
    y = data.prepare_labels(mnist_arrays["y_train"][:1050]).astype(np.float32)
    return x, y


def keras_model():
    """The reference network for seed 0, compiled as the reference training compiles it."""
    import keras

    keras.utils.set_random_seed(0)
    model = models.build_dense_network()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="categorical_crossentropy")
    return model


def copy(weights):
    return [np.array(w, dtype=np.float32) for w in weights]


def assert_weights_close(got, expected):
    for g, e, name in zip(got, expected, ("w1", "b1", "w2", "b2"), strict=True):
        np.testing.assert_allclose(g, e, rtol=RTOL, atol=ATOL, err_msg=name)


def test_one_step_is_one_keras_step(batch):
    x, y = batch[0][:100], batch[1][:100]
    model = keras_model()
    weights = copy(model.get_weights())
    before = copy(weights)
    loss = reference.sgd_step(weights, x, y, 0.01)
    keras_loss = model.train_on_batch(x, y)  # the loss of the forward pass, before the update
    assert isinstance(loss, float)
    assert loss == pytest.approx(keras_loss, rel=LOSS_RTOL)
    assert loss == pytest.approx(np.log(10), rel=0.1)  # untrained: about chance
    assert_weights_close(weights, model.get_weights())
    assert all((w != b).any() for w, b in zip(weights, before, strict=True))  # every array was updated


def test_train_is_repeated_steps_and_keras_fit(batch):
    x, y = batch
    model = keras_model()
    start = copy(model.get_weights())
    weights = copy(start)
    arrays = list(weights)
    losses = reference.train(weights, x, y, epochs=2, batch_size=100, learning_rate=0.01)
    assert all(w is a for w, a in zip(weights, arrays, strict=True))  # trained in place
    assert losses[1] < losses[0]

    stepped, expected = copy(start), []
    for _ in range(2):  # 11 batches an epoch, the last one of 50; the epoch's loss is per image
        batch_losses = [
            reference.sgd_step(stepped, x[i : i + 100], y[i : i + 100], 0.01) for i in range(0, 1050, 100)
        ]
        expected.append(sum(loss * 100 for loss in batch_losses[:-1]) / 1050 + batch_losses[-1] * 50 / 1050)
    for w, s in zip(weights, stepped, strict=True):
        np.testing.assert_array_equal(w, s)
    assert losses == pytest.approx(expected, rel=1e-12)

    history = model.fit(x, y, batch_size=100, epochs=2, shuffle=False, verbose=0)
    assert losses == pytest.approx(history.history["loss"], rel=LOSS_RTOL)
    assert_weights_close(weights, model.get_weights())


def test_everything_is_float32(batch):
    x, y = batch[0][:100], batch[1][:100]
    weights = copy(keras_model().get_weights())
    other = copy(weights)
    reference.sgd_step(weights, x, y, 0.01)
    reference.sgd_step(other, x, y, np.float64(0.01))  # a float64 scalar must not promote the step
    for w, o in zip(weights, other, strict=True):
        assert w.dtype == np.float32
        np.testing.assert_array_equal(w, o)  # float64 arithmetic would differ in the last bits
    reference.train(weights, x, y, epochs=1, batch_size=30, learning_rate=np.float64(0.01))
    assert all(w.dtype == np.float32 for w in weights)
    assert isinstance(reference.accuracy(weights, x, y), float)


def test_accuracy_is_keras_accuracy(batch):
    import keras

    x, y = batch
    model = keras_model()
    weights = copy(model.get_weights())
    metric = keras.metrics.CategoricalAccuracy()
    metric.update_state(y, model.predict(x, verbose=0))
    assert reference.accuracy(weights, x, y) == pytest.approx(float(metric.result()), abs=1e-6)


GOOD_WEIGHTS = [np.zeros(s, np.float32) for s in reference.SHAPES]
GOOD_X, GOOD_Y = np.zeros((5, 784), np.float32), np.zeros((5, 10), np.float32)


@pytest.mark.parametrize(
    ("weights", "x", "y", "message"),
    [
        (GOOD_WEIGHTS, GOOD_X.astype(np.float64), GOOD_Y, r"x must be a float32 .* \(n, 784\); got float64"),
        (GOOD_WEIGHTS, GOOD_X.reshape(5, 28, 28), GOOD_Y, r"shape \(n, 784\); got float32 \(5, 28, 28\)"),
        (GOOD_WEIGHTS, GOOD_X, GOOD_Y.astype(np.float64), r"got float64 .* use y.astype\(np.float32\)"),
        (GOOD_WEIGHTS, GOOD_X, GOOD_Y[:4], "same number .* got 5 and 4"),
        ([GOOD_WEIGHTS[0].T, *GOOD_WEIGHTS[1:]], GOOD_X, GOOD_Y, r"shapes \[\(784, 10\), .*\(10, 784\)"),
        ([w.astype(np.float64) for w in GOOD_WEIGHTS], GOOD_X, GOOD_Y, r"4 float32 .*float64"),
        (GOOD_WEIGHTS[:3], GOOD_X, GOOD_Y, r"\[w1, b1, w2, b2\]"),
        ([w.tolist() for w in GOOD_WEIGHTS], GOOD_X, GOOD_Y, "NumPy arrays .* got .*list"),
    ],
)
def test_bad_arguments_say_what_was_expected(weights, x, y, message):
    for call in (
        lambda: reference.sgd_step(weights, x, y, 0.01),
        lambda: reference.train(weights, x, y, 1, 100, 0.01),
        lambda: reference.accuracy(weights, x, y),
    ):
        with pytest.raises(ValueError, match=message):
            call()


@pytest.mark.parametrize(("epochs", "batch_size"), [(0, 100), (1, 0), (1, 2.5)])
def test_train_wants_positive_integers(epochs, batch_size):
    with pytest.raises(ValueError, match="must be a positive integer"):
        reference.train(GOOD_WEIGHTS, GOOD_X, GOOD_Y, epochs, batch_size, 0.01)
