"""A sentence the run contradicts fails the book build, and the failure names the sentence.

Takes a real chapter, flips one measured relation in its hidden check (as a changed result
would), builds it with the book's own configuration and extension, and reads the failure.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.book, pytest.mark.slow]

CHAPTER = "book/first-program"
CHECK = 'claim(val_acc < 0.85, "well short of the 90 % that the post reported")'
FLIPPED = 'claim(val_acc >= 0.85, "well short of the 90 % that the post reported")'


def test_a_contradicted_sentence_fails_the_build_and_is_named(tmp_path):
    source = (ROOT / f"{CHAPTER}.md").read_text()
    assert CHECK in source, f"{CHAPTER} no longer holds the check this test flips; update the test"
    # one chapter alone: links to the other chapters become plain text
    alone = re.sub(
        r"\{ref\}`(?:([^`<]*?)\s*<[\w-]+>|[\w-]+)`", lambda m: m.group(1) or "another chapter", source
    )
    project = tmp_path / "book-copy"
    (project / "book").mkdir(parents=True)
    (project / f"{CHAPTER}.md").write_text(alone.replace(CHECK, FLIPPED))
    for name in ("_config.yml", "CITATION.cff"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("scripts", "_templates", "_static", "book/images"):
        shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("node_modules"))
    (project / "_toc.yml").write_text(f"format: jb-book\nroot: {CHAPTER}\n")

    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jupyter_book), "build", str(project), "--builder", "html", "--warningiserror", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "DLBOOK_EXECUTE": "force"},
    )
    assert result.returncode != 0, "the build passed although the chapter states a false sentence"
    reports = list((project / "_build" / "html" / "reports").rglob("*.err.log"))
    report = "\n".join(path.read_text() for path in reports)
    assert "ClaimError" in report
    assert 'no longer supports the sentence: "well short of the 90 % that the post reported"' in report
    assert "first-program" in result.stdout + result.stderr  # the build names the failing chapter
