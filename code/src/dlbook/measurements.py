"""The book's measured speed figures (appendix *Backends and speed*).

``measurements.json`` beside this module is written by the benchmark (``make benchmark``, see
``booktools.benchmark``), never by hand. The appendix loads it with the file's SHA-256, which the
benchmark writes into the appendix: the page states which results it was written for, and a new
benchmark run re-executes that page alone (the file is left out of the fingerprint that keys every
chapter's execution, ``booktools.notebooks.run``).
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources


def load(sha256: str | None = None) -> dict:
    """The results of the latest benchmark run, as a dictionary (see ``booktools.benchmark``).

    With ``sha256``, the file must be exactly the one with that hash; otherwise a ValueError says
    so, rather than a page presenting numbers its text was not written for.
    """
    raw = resources.files(__package__).joinpath("measurements.json").read_bytes()
    if sha256 is not None and hashlib.sha256(raw).hexdigest() != sha256:
        raise ValueError(
            f"dlbook's measurements.json has SHA-256 {hashlib.sha256(raw).hexdigest()}, not the "
            f"{sha256} this page was written for. Run `make benchmark` in the repository (it "
            "writes the new results and their hash into the appendix), or install the dlbook "
            "release that matches this page."
        )
    return json.loads(raw)
