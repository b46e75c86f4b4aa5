"""Record which devices the Keras backend sees; with --require-gpu, fail unless one is a GPU.

booktools devices OUT.json [--require-gpu]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from dlbook.devices import devices


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2) or (len(argv) == 2 and argv[1] != "--require-gpu"):
        print(__doc__, file=sys.stderr)
        return 2
    report = devices()
    Path(argv[0]).write_text(json.dumps(report, indent=2))
    print(f"Keras {report['keras']} on {report['backend']}: {[d['name'] for d in report['devices']]}")
    if len(argv) == 2 and report["gpu"] is None:
        print(
            f"No GPU visible to the {report['backend']} backend (devices: {report['devices']}). "
            "The GPU job refuses to run on the CPU: check the runner label (repository variable "
            "GPU_RUNNER) and that the GPU requirements (requirements-gpu-*.txt) installed a CUDA build.",
            file=sys.stderr,
        )
        return 1
    return 0
