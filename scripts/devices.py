"""Record which devices the Keras backend sees; with --require-gpu, fail unless one is a GPU.

python scripts/devices.py OUT.json [--require-gpu]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dlbook.devices import devices

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
            "GPU_RUNNER) and that the GPU requirements (requirements-gpu-*.txt) installed a CUDA build."
        )
