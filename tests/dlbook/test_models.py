"""dlbook.models: the book's dense network, and seeded, repeatable training."""

import numpy as np
import pytest

from dlbook import data, models


@pytest.fixture(scope="module")
def small_data(mnist_arrays):
    x = data.prepare_images(mnist_arrays["x_train"][:2000])
    y = data.prepare_labels(mnist_arrays["y_train"][:2000])
    return x, y


def test_parameter_count_is_the_one_derived_in_the_book():
    model = models.build_dense_network()
    assert [layer.count_params() for layer in model.layers] == [784 * 10 + 10, 10 * 10 + 10]
    assert model.count_params() == 7960
    assert models.build_dense_network(hidden_units=32).count_params() == 784 * 32 + 32 + 32 * 10 + 10


def test_same_seed_same_numbers_other_seed_other_numbers(small_data):
    x, y = small_data
    runs = [models.train_dense_network(x, y, seed=s, epochs=2, learning_rate=0.1) for s in (0, 0, 1)]
    (m0, h0), (m1, h1), (m2, h2) = runs
    for a, b in zip(m0.get_weights(), m1.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert h0.history["loss"] == h1.history["loss"]
    assert h0.history["loss"] != h2.history["loss"]


def test_training_learns(small_data):
    x, y = small_data
    model, history = models.train_dense_network(
        x[:1500], y[:1500], (x[1500:], y[1500:]), epochs=5, learning_rate=0.5
    )
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.5  # chance is 0.1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"x_train": np.zeros((5, 28, 28), np.float32)}, r"shape \(n, 784\)"),
        ({"x_train": np.zeros((5, 784), np.float64)}, "float32"),
        ({"y_train": np.zeros(5)}, "one-hot"),
        ({"y_train": np.zeros((4, 10))}, "differ in length: 5 and 4"),
    ],
)
def test_bad_input(kwargs, message):
    args = {"x_train": np.zeros((5, 784), np.float32), "y_train": np.zeros((5, 10))} | kwargs
    with pytest.raises(ValueError, match=message):
        models.train_dense_network(**args)
    with pytest.raises(ValueError, match="positive integer"):
        models.build_dense_network(hidden_units=0)


def test_fast_steps_per_execution_is_one_only_where_keras_allows_one():
    import keras

    from dlbook.models import STEPS_PER_EXECUTION, fast_steps_per_execution

    assert fast_steps_per_execution("torch") == 1
    assert fast_steps_per_execution("jax") == STEPS_PER_EXECUTION > 1
    assert fast_steps_per_execution("tensorflow") == STEPS_PER_EXECUTION
    assert fast_steps_per_execution() == fast_steps_per_execution(keras.config.backend())
