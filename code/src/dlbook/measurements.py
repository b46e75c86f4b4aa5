"""The book's measured speed figures (appendix *Speed* and chapter *Training*).

``measurements.json`` beside this module is written by the benchmark (``make benchmark``, see
``scripts/benchmark.py``), never by hand; the chapters glue their numbers from it.
"""

from __future__ import annotations

import json
from importlib import resources


def load() -> dict:
    """The results of the latest benchmark run, as a dictionary (see ``scripts/benchmark.py``)."""
    text = resources.files(__package__).joinpath("measurements.json").read_text()
    return json.loads(text)
