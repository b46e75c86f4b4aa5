"""dlbook.data: loading MNIST (online through Keras, offline through DLBOOK_MNIST) and preparing it."""

import zipfile

import numpy as np
import pytest

from dlbook import data


def save_npz(path, arrays):
    np.savez(path, **arrays)
    return path


# --- the real file ------------------------------------------------------------------------


def test_load_mnist_offline_matches_keras_layout(monkeypatch, mnist_path):
    monkeypatch.setenv("DLBOOK_MNIST", str(mnist_path))
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    assert x_train.shape == (60000, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (60000,) and y_train.dtype == np.uint8
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    # Facts published with the data (../shared/data/README.md).
    assert (y_train[0], y_train[8], y_test[0], y_test[11]) == (5, 1, 7, 6)
    assert np.bincount(y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    assert np.bincount(y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_default_is_exactly_the_keras_loader(monkeypatch):
    """Without DLBOOK_MNIST, load_mnist returns whatever keras.datasets.mnist.load_data returns."""
    import keras

    sentinel = (("xt", "yt"), ("xs", "ys"))
    calls = []

    def fake_load_data():
        calls.append(True)
        return sentinel

    monkeypatch.delenv("DLBOOK_MNIST", raising=False)
    monkeypatch.setattr(keras.datasets.mnist, "load_data", fake_load_data)
    assert data.load_mnist() is sentinel
    assert calls == [True]


# --- every way the offline file can be wrong -------------------------------------------------


@pytest.mark.parametrize("value", ["", "   "])
def test_variable_set_but_empty(monkeypatch, value):
    monkeypatch.setenv("DLBOOK_MNIST", value)
    with pytest.raises(data.MnistFileError, match="set but empty"):
        data.load_mnist()


def test_missing_file(monkeypatch, tmp_path):
    path = tmp_path / "nowhere" / "mnist.npz"
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(FileNotFoundError, match="no such file") as err:
        data.load_mnist()
    assert str(path) in str(err.value) and "unset it" in str(err.value)


def test_directory_instead_of_file(monkeypatch, tmp_path):
    monkeypatch.setenv("DLBOOK_MNIST", str(tmp_path))
    with pytest.raises(data.MnistFileError, match="is a directory"):
        data.load_mnist()


def test_not_an_npz(monkeypatch, tmp_path):
    path = tmp_path / "mnist.npz"
    path.write_text("this is not an archive\n")
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(data.MnistFileError, match="could not be read as an .npz") as err:
        data.load_mnist()
    assert str(path) in str(err.value)


def test_truncated_npz(monkeypatch, tmp_path, mnist_path):
    path = tmp_path / "mnist.npz"
    path.write_bytes(mnist_path.read_bytes()[:1_000_000])
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(data.MnistFileError, match="truncated"):
        data.load_mnist()


def test_npy_instead_of_npz(monkeypatch, tmp_path):
    path = tmp_path / "mnist.npy"
    np.save(path, np.zeros(3))
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(data.MnistFileError, match="single .npy array"):
        data.load_mnist()


def test_zip_that_is_not_numpy(monkeypatch, tmp_path):
    path = tmp_path / "mnist.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x_train.npy", b"garbage")
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(data.MnistFileError):
        data.load_mnist()


def test_missing_key(monkeypatch, tmp_path, mnist_arrays):
    arrays = dict(mnist_arrays)
    del arrays["y_test"]
    path = save_npz(tmp_path / "mnist.npz", arrays)
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(data.MnistFileError, match="no array named y_test"):
        data.load_mnist()


def test_wrong_shape(monkeypatch, tmp_path, mnist_arrays):
    arrays = dict(mnist_arrays, x_test=mnist_arrays["x_test"][:9999])
    path = save_npz(tmp_path / "mnist.npz", arrays)
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(data.MnistFileError, match=r"x_test should have shape \(10000, 28, 28\)"):
        data.load_mnist()


def test_wrong_dtype(monkeypatch, tmp_path, mnist_arrays):
    arrays = dict(mnist_arrays, x_train=mnist_arrays["x_train"].astype("float32") / 255)
    path = save_npz(tmp_path / "mnist.npz", arrays)
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(data.MnistFileError, match="dtype uint8; got shape .* dtype float32"):
        data.load_mnist()


def test_checksum_mismatch(monkeypatch, tmp_path, mnist_arrays):
    y_train = mnist_arrays["y_train"].copy()
    y_train[0] = 3  # one wrong label out of 60,000
    path = save_npz(tmp_path / "mnist.npz", dict(mnist_arrays, y_train=y_train))
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(data.MnistFileError, match="y_train has the right shape and dtype but different"):
        data.load_mnist()


def test_pickled_objects_are_refused(monkeypatch, tmp_path, mnist_arrays):
    arrays = dict(mnist_arrays, y_test=np.array([object()] * 10000, dtype=object))
    path = save_npz(tmp_path / "mnist.npz", arrays)
    monkeypatch.setenv("DLBOOK_MNIST", str(path))
    with pytest.raises(data.MnistFileError):
        data.load_mnist()


# --- preparing ------------------------------------------------------------------------------


def test_prepare_images_flattens_and_scales():
    images = np.array([np.arange(784).reshape(28, 28) % 256], dtype=np.uint8)
    prepared = data.prepare_images(images)
    assert prepared.shape == (1, 784) and prepared.dtype == np.float32
    assert prepared.min() == 0.0 and prepared.max() == 1.0
    assert prepared[0, 300] == pytest.approx((300 % 256) / 255)


def test_prepare_images_rejects_one_image_and_floats():
    with pytest.raises(ValueError, match=r"Pass a batch, e.g. images\[None\]"):
        data.prepare_images(np.zeros((28, 28), np.uint8))
    with pytest.raises(ValueError, match="raw uint8"):
        data.prepare_images(np.zeros((2, 28, 28), np.float32))
    with pytest.raises(ValueError, match=r"shape \(n, 28, 28\) or \(n, 784\); got \(2, 27, 28\)"):
        data.prepare_images(np.zeros((2, 27, 28), np.uint8))


def test_prepare_labels_one_hot():
    encoded = data.prepare_labels(np.array([5, 0, 9], np.uint8))
    assert encoded.shape == (3, 10)
    assert encoded.argmax(axis=1).tolist() == [5, 0, 9]
    assert encoded.sum(axis=1).tolist() == [1, 1, 1]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.zeros((3, 10)), "look one-hot"),
        (np.array([0.0, 1.0]), "integers"),
        (np.array([3, 10]), "digits 0-9"),
        (np.array([-1, 2]), "digits 0-9"),
    ],
)
def test_prepare_labels_bad_input(labels, message):
    with pytest.raises(ValueError, match=message):
        data.prepare_labels(labels)


def test_split_validation_takes_the_last_rows():
    x, y = np.arange(10), np.arange(10) * 10
    (xt, yt), (xv, yv) = data.split_validation(x, y, validation_size=3)
    assert xt.tolist() == list(range(7)) and xv.tolist() == [7, 8, 9]
    assert yv.tolist() == [70, 80, 90]
    with pytest.raises(ValueError, match="same length"):
        data.split_validation(x, y[:5])
    with pytest.raises(ValueError, match="between 1 and 9"):
        data.split_validation(x, y, validation_size=10)


def test_load_prepared(monkeypatch, mnist_path, mnist_arrays):
    monkeypatch.setenv("DLBOOK_MNIST", str(mnist_path))
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = data.load_prepared()
    assert x_train.shape == (50000, 784) and y_train.shape == (50000, 10)
    assert x_val.shape == (10000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() <= 1
    # The validation rows are the last 10,000 training images, unshuffled.
    np.testing.assert_array_equal(x_val[0].reshape(28, 28) * 255, mnist_arrays["x_train"][50000])
    assert y_test[11].argmax() == 6
    assert x_train.mean() == pytest.approx(0.1307, abs=0.002)
