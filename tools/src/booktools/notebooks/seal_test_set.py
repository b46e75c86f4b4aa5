"""The test set sealed: a chapter before the evaluation chapter that runs a model on test images fails.

booktools.notebooks.run makes this file an IPython startup file of the kernels that run the
chapters before the one that opens the test set (``booktools.project.TEST_SET_OPENED_IN``; the notebooks
say so in their metadata, ``dlbook.test_set_sealed``). It follows the data, not the spelling:
every Keras entry point that runs a model (``fit``, including its ``validation_data``,
``evaluate``, ``predict``, the ``*_on_batch`` methods, and calling a model or a layer on an
array) looks at the images it is given and stops the chapter when any of them is a test image,
whatever the array is called and however it got there (an alias, a helper such as
``dlbook.models.train_dense_network``, a slice, reshaped or scaled to [0, 1]). Loading the test
arrays, preparing them and counting their labels is allowed: only running a model on them is not.

Everything is defined inside one function, which deletes itself, so that the reader's namespace
in the kernel holds nothing of it.
"""


def _dlbook_seal_test_set():
    import functools
    import hashlib

    import keras
    import numpy as np

    from dlbook import data

    (x_train, _), (x_test, _) = data.load_mnist()

    def digests(images):
        return {hashlib.blake2b(row.tobytes(), digest_size=16).digest() for row in images}

    flat = 784
    # an image that is in both sets (MNIST has few, if any) does not count as a test image
    sealed = digests(x_test.reshape(len(x_test), flat)) - digests(x_train.reshape(len(x_train), flat))

    def test_images(value) -> int:
        """How many of the images in ``value`` (an array, or a tuple/list/dict of them) are test
        images, as loaded (uint8) or scaled to [0, 1]."""
        if isinstance(value, (tuple, list)):
            return sum(test_images(v) for v in value)
        if isinstance(value, dict):
            return sum(test_images(v) for v in value.values())
        if not isinstance(value, np.ndarray) or value.ndim < 2 or value[0].size != flat:
            return 0
        rows = value.reshape(len(value), flat)
        if rows.dtype != np.uint8:
            rows = rows.astype(np.float64)
            if rows.size and rows.max() <= 1.0:
                rows = rows * 255
            rows = np.rint(rows)
            if rows.size == 0 or rows.min() < 0 or rows.max() > 255:
                return 0
            rows = rows.astype(np.uint8)
        return sum(hashlib.blake2b(row.tobytes(), digest_size=16).digest() in sealed for row in rows)

    class TestSetSealed(AssertionError):
        pass

    def guard(cls, method, arguments):
        original = getattr(cls, method)

        @functools.wraps(original)
        def guarded(self, *args, **kwargs):
            named = dict(zip(arguments, args, strict=False)) | {
                k: v for k, v in kwargs.items() if k in arguments
            }
            found = sum(test_images(value) for value in named.values())
            if found:
                raise TestSetSealed(
                    f"{type(self).__name__}.{method} was given {found} images of the test set. The book "
                    "opens the test set only in its evaluation chapter: before it, measure on the "
                    "validation set (x_val, y_val)."
                )
            return original(self, *args, **kwargs)

        setattr(cls, method, guarded)

    for method, arguments in {
        "fit": (
            "x",
            "y",
            "batch_size",
            "epochs",
            "verbose",
            "callbacks",
            "validation_split",
            "validation_data",
        ),
        "evaluate": ("x",),
        "predict": ("x",),
        "train_on_batch": ("x",),
        "test_on_batch": ("x",),
        "predict_on_batch": ("x",),
    }.items():
        guard(keras.Model, method, arguments)
    guard(keras.layers.Layer, "__call__", ("inputs",))


_dlbook_seal_test_set()
del _dlbook_seal_test_set
