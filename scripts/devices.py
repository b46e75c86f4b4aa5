"""Record which devices the Keras backend sees; with --require-gpu, fail unless one is a GPU.

python scripts/devices.py OUT.json [--require-gpu]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def devices() -> dict:
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
        raise SystemExit(f"unknown Keras backend {backend!r}")
    gpus = [d for d in found if d["kind"] in ("gpu", "cuda", "rocm")]
    return {
        "backend": backend,
        "keras": keras.__version__,
        "devices": found,
        "gpu": gpus[0]["name"] if gpus else None,
    }


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3) or (len(sys.argv) == 3 and sys.argv[2] != "--require-gpu"):
        sys.exit(__doc__)
    report = devices()
    Path(sys.argv[1]).write_text(json.dumps(report, indent=2))
    print(f"Keras {report['keras']} on {report['backend']}: {[d['name'] for d in report['devices']]}")
    if len(sys.argv) == 3 and report["gpu"] is None:
        sys.exit(
            f"No GPU visible to the {report['backend']} backend (devices: {report['devices']}). "
            "The GPU job refuses to run on the CPU: check the runner label (repository variable "
            "GPU_RUNNER) and that requirements-gpu.txt installed a CUDA build."
        )
