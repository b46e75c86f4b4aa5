"""Execute one chapter source on its own and list what it glued: a quick check while writing.

    booktools try-chapter book/training.md [book/evaluation.md ...]

Each chapter runs from a fresh kernel in an empty folder, as in the book build, without building
the site. Prints every glued value (name = value) so the prose can be read against the run, then
every checked sentence the run does not support (the book build's rules: booktools.sphinx.checked), any
cell output written to stderr, and the error of a failing cell. Exit status 1 if any failed.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

import jupytext
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from booktools.sphinx import checked


def glued(notebook):
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                data = output.get("data", {})  # myst-nb prefixes the types: .../text/plain
                text = [v for k, v in data.items() if k.endswith("text/plain")]
                figure = any(k.endswith("image/png") for k in data)
                value = text[0] if text else ("<figure>" if figure else "?")
                yield name, value


def stderr_outputs(notebook):
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                yield index, output.get("text", "")


def main(paths: list[str]) -> int:
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ["DLBOOK_BOOK_BUILD"] = "1"  # glue through myst-nb, as the book build does
    os.environ["DLBOOK_STRICT"] = "1"  # and stop on a contradicted sentence
    failed = False
    for path in paths:
        notebook = jupytext.read(path)
        start = time.perf_counter()
        error = None
        with tempfile.TemporaryDirectory(prefix="dlbook-try-") as cwd:
            client = NotebookClient(
                notebook, timeout=900, kernel_name="python3", resources={"metadata": {"path": cwd}}
            )
            try:
                client.execute()
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:  # record, go on
                error = str(err)
        print(f"== {path}: {'FAILED' if error else 'ok'} in {time.perf_counter() - start:.1f} s")
        for name, value in glued(notebook):
            print(f"  {name} = {value}")
        values = {n[len(checked.PREFIX) :]: v for n, v in glued(notebook) if n.startswith(checked.PREFIX)}
        for issue in [] if error else checked.check_source(open(path).read(), values):
            failed = True
            print(f"  CHECKED SENTENCE: {issue}")
        for index, text in stderr_outputs(notebook):
            print(f"  [stderr, cell {index}] {text.strip()[:500]}")
        if error:
            failed = True
            print(error[-4000:])
    return 1 if failed else 0
