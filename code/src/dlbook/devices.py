"""Which backend and which devices run Keras here: for the appendix's statement of what executed
this edition, and for the GPU job, which refuses to run on a CPU (booktools.checks.devices)."""

from __future__ import annotations

GPU_KINDS = ("gpu", "cuda", "rocm")


def devices() -> dict:
    """The Keras backend, its version, every device the backend sees and the first GPU's name
    (None when there is none)."""
    import keras

    backend = keras.config.backend()
    if backend == "jax":
        import jax

        found = [{"kind": d.platform, "name": getattr(d, "device_kind", str(d))} for d in jax.devices()]
    elif backend == "tensorflow":
        import tensorflow as tf

        found = [
            {
                "kind": d.device_type.lower(),
                "name": tf.config.experimental.get_device_details(d).get("device_name", d.name),
            }
            for d in tf.config.list_physical_devices()
        ]
    elif backend == "torch":
        import torch

        found = [{"kind": "cpu", "name": "cpu"}] + [
            {"kind": "gpu", "name": torch.cuda.get_device_name(i)} for i in range(torch.cuda.device_count())
        ]
    else:
        raise ValueError(f"Unknown Keras backend {backend!r}: expected tensorflow, jax or torch.")
    gpus = [d for d in found if d["kind"] in GPU_KINDS]
    return {
        "backend": backend,
        "keras": keras.__version__,
        "devices": found,
        "gpu": gpus[0]["name"] if gpus else None,
    }


def executed_on() -> str:
    """One phrase for the page: 'a GPU (NVIDIA H200)' or 'the CPU only (no GPU visible)'."""
    gpu = devices()["gpu"]
    return f"a GPU ({gpu})" if gpu else "the CPU only (no GPU visible)"
