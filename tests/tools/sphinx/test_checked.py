"""A checked sentence the run contradicts fails the book build, quoting the words on the page.

Takes a real chapter and breaks its checked sentences as a changed result or a careless edit
would: one condition flipped (the run no longer supports the sentence), one sentence bound to a
condition the code does not compute, one bound to a number instead of True/False, and one
condition that no sentence uses. Builds it with the book's own configuration and extension, and
reads the failures. The same chapter unbroken builds, and its page shows the sentences alone.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

pytestmark = [pytest.mark.book, pytest.mark.slow]

CHAPTER = "book/first-program"
FLIP = ('check("short_of_post", val_acc < 0.85)', 'check("short_of_post", val_acc >= 0.85)')
SENTENCE = "well short of the 90 % that the blog post this program follows reported for these settings"
BROKEN = [
    FLIP,
    # a sentence whose condition the chapter does not compute
    ("<far_above_chance>`", "<far_above_guessing>`"),
    # a condition that no sentence uses (its sentence now names another)
    ('check("far_above_chance", val_acc > 0.3)', 'check("far_above_chance", val_acc > 0.3)\n'
     'glue("checked:not_a_condition", 0.5)\ncheck("unused_condition", val_acc > 0.3)'),
    ("{glue:text}`first_right_of_8` of the eight", "{checked}`most <not_a_condition>` of the eight"),
]  # fmt: skip


def build_alone(tmp_path, source: str) -> subprocess.CompletedProcess:
    """Build the chapter as a book of its own, with the book's configuration and extension."""
    # one chapter alone: links to the other chapters become plain text
    alone = re.sub(
        r"\{ref\}`(?:([^`<]*?)\s*<[\w-]+>|[\w-]+)`", lambda m: m.group(1) or "another chapter", source
    )
    project = tmp_path / "book-copy"
    (project / "book").mkdir(parents=True)
    (project / f"{CHAPTER}.md").write_text(alone)
    for name in ("_config.yml", "CITATION.cff"):
        shutil.copy(ROOT / name, project / name)
    for folder in ("_templates", "_static", "book/images"):
        shutil.copytree(ROOT / folder, project / folder, ignore=shutil.ignore_patterns("node_modules"))
    (project / "_toc.yml").write_text(f"format: jb-book\nroot: {CHAPTER}\n")
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    return subprocess.run(
        [str(jupyter_book), "build", str(project), "--builder", "html", "--warningiserror", "--keep-going"],
        capture_output=True,
        text=True,
        timeout=600,
        # the copy is not a git checkout: the Colab notebooks' helper pin is given
        env={**os.environ, "DLBOOK_EXECUTE": "force", "DLBOOK_HELPER_COMMIT": "0" * 40},
    )


def test_broken_checked_sentences_fail_the_build_each_named(tmp_path):
    source = (ROOT / f"{CHAPTER}.md").read_text()
    for old, new in BROKEN:
        assert old in source, f"{CHAPTER} no longer holds {old!r}, which this test breaks; update the test"
        source = source.replace(old, new, 1)
    result = build_alone(tmp_path, source)
    log = " ".join((result.stdout + result.stderr).split())
    assert result.returncode != 0, "the build passed although the chapter states a false sentence"
    assert 'the run does not support this sentence (its condition "short_of_post" is False)' in log
    assert f'The sentence: "{SENTENCE}"' in log, "the failure quotes the sentence as the page shows it"
    assert 'the chapter computes no condition "far_above_guessing"' in log
    assert 'The sentence: "far better than the one digit in ten that guessing would get"' in log
    assert "the condition \"not_a_condition\" is '0.5', not True or False" in log
    assert 'computes the condition "unused_condition"' in log and "no sentence uses it" in log
    assert "first-program" in log  # the build names the failing chapter


def test_checked_sentences_that_hold_build_and_read_as_plain_sentences(tmp_path):
    from bs4 import BeautifulSoup

    result = build_alone(tmp_path, (ROOT / f"{CHAPTER}.md").read_text())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    page = BeautifulSoup((tmp_path / "book-copy/_build/html" / f"{CHAPTER}.html").read_text(), "html.parser")
    spans = page.select("span.checked")
    shown = [" ".join(s.get_text().split()) for s in spans]
    assert shown[:2] == ["far better than the one digit in ten that guessing would get", SENTENCE]
    assert len(shown) == (ROOT / f"{CHAPTER}.md").read_text().count("{checked}")
    text = " ".join(page.get_text().split())
    assert "{checked}" not in text and "<short_of_post>" not in text and f"{SENTENCE}." in text
