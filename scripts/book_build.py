"""Sphinx extension loaded by _config.yml: an execution cache that notices helper changes.

jupyter-cache keys a chapter on its cell sources only, and Sphinx does not re-read a chapter
whose file did not change, so editing the ``dlbook`` package would leave stale outputs. This
extension points myst-nb's cache at ``_build/.jupyter_cache/<key>``, where the key hashes the
helper package's source files, the Keras version and the Keras backend. A change of any of them
is a new cache path, which Sphinx sees as a changed configuration: every chapter is re-read and
re-executed. Going back to an earlier state finds its cache again.

``DLBOOK_EXECUTE=force`` executes every chapter regardless of the cache (used by CI).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
from pathlib import Path

MODES = ("cache", "force", "off")


def helper_key() -> str:
    """A short hash of what a chapter's outputs depend on besides its own source."""
    spec = importlib.util.find_spec("dlbook")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The helper package dlbook is not installed; run `make install`.")
    root = Path(next(iter(spec.submodule_search_locations)))
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(importlib.metadata.version("keras").encode())
    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    return f"{backend}-{digest.hexdigest()[:16]}"


def _configure(app, config):
    base = Path(config.nb_execution_cache_path or Path(app.outdir).parent / ".jupyter_cache")
    config.nb_execution_cache_path = str(base / helper_key())
    mode = os.environ.get("DLBOOK_EXECUTE", "").strip()
    if mode:
        if mode not in MODES:
            raise ValueError(f"DLBOOK_EXECUTE must be one of {', '.join(MODES)}; got {mode!r}.")
        config.nb_execution_mode = mode


def setup(app):
    app.connect("config-inited", _configure, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
