"""How long each chapter takes a beginner who reads it and runs every cell (the landing page and
the instructors page show it).

Prose words are counted outside code cells, with MyST markup (roles, directive options, labels,
hidden cells) left out; code lines are the non-blank lines of the code cells a reader sees
(cells tagged ``remove-cell`` are not shown). The estimate reads prose at ``WORDS_PER_MINUTE``,
gives each visible code line ``SECONDS_PER_CODE_LINE`` (to read it, run it and look at what it
printed), and adds the chapter's measured running time (the benchmark's cold build on a CPU,
``dlbook.measurements``: ``build.plain_chapter_seconds``).

The rates are a beginner's: 100 words a minute is a careful reading of technical prose, about
half a fluent reader's 200, and 20 seconds a line leaves time to understand it. With them the
chapters come to about seven hours in all, which is how long a beginner's complete read-through
of the second edition, reading and running every cell, took; the earlier rates (200 words a
minute, 10 seconds a line, no running time) gave half that.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import checked  # scripts/checked.py

WORDS_PER_MINUTE = 100
SECONDS_PER_CODE_LINE = 20

_CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.M | re.S)
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_ROLE = re.compile(r"\{[\w:.-]+\}`([^`]*)`")
_OPTION = re.compile(r"^:[\w-]+:.*$", re.M)
_FENCE = re.compile(r"^(```|:::+).*$", re.M)
_LABEL = re.compile(r"^\([\w-]+\)=\s*$", re.M)


@dataclass(frozen=True)
class Count:
    words: int
    code_lines: int
    run_seconds: float = 0.0  # the chapter's cells, as measured (run_seconds())

    @property
    def minutes(self) -> int:
        seconds = (
            self.words / WORDS_PER_MINUTE * 60 + self.code_lines * SECONDS_PER_CODE_LINE + self.run_seconds
        )
        return math.ceil(seconds / 60)


#: The benchmark's results (dlbook.measurements), read from the book's own sources.
MEASUREMENTS = Path("code") / "src" / "dlbook" / "measurements.json"


def run_seconds(docname: str, root: Path) -> float:
    """How long the chapter's cells take to run on a CPU, from the benchmark (0 for a page it did not
    time, such as the appendix, which only reads the benchmark's results, and for a book without
    the benchmark's file, such as the small books the tests build)."""
    import json

    path = root / MEASUREMENTS
    if not path.exists():
        return 0.0
    return float(json.loads(path.read_text())["build"]["plain_chapter_seconds"].get(docname, 0.0))


def count(text: str) -> Count:
    """Words of prose and visible lines of code in one chapter's MyST source."""
    text = checked.plain(_FRONT_MATTER.sub("", text))  # a checked sentence counts as its words
    code_lines = 0
    for cell in _CODE_CELL.findall(text):
        if re.search(r"^:tags:.*remove-cell", cell, re.M):
            continue
        code_lines += sum(1 for line in cell.splitlines() if line.strip() and not line.startswith(":tags:"))
    prose = _CODE_CELL.sub("", text)
    prose = _ROLE.sub(lambda m: re.sub(r"<[^>]*>|:[^`]*$", "", m.group(1)), prose)
    prose = _LABEL.sub("", _FENCE.sub("", _OPTION.sub("", prose)))
    words = re.findall(r"[A-Za-z0-9][\w'’.,%-]*", prose)
    return Count(len(words), code_lines)


def count_file(path: Path, docname: str | None = None, root: Path | None = None) -> Count:
    """The chapter's count; with its ``docname`` (``book/training``) and the book's ``root``, its
    measured running time too."""
    counted = count(path.read_text(encoding="utf-8"))
    seconds = run_seconds(docname, root) if docname and root else 0.0
    return Count(counted.words, counted.code_lines, seconds)


def chapter_minutes(root: Path, docnames: list[str]) -> dict[str, int]:
    """Each chapter's minutes, by document name (``book/training``)."""
    return {name: count_file(root / f"{name}.md", name, root).minutes for name in docnames}


def facts(root: Path, docnames: list[str]) -> dict[str, str]:
    """The substitutions the prose uses to state the times (``{{ chapter_minutes_range }}``...)."""
    minutes = chapter_minutes(root, docnames)
    if not minutes:  # a book without notebook chapters (the small books the tests build)
        return {}
    return {
        "words_per_minute": str(WORDS_PER_MINUTE),
        "seconds_per_code_line": str(SECONDS_PER_CODE_LINE),
        "chapter_minutes_range": f"{min(minutes.values())} to {max(minutes.values())} minutes",
        "book_hours": f"{sum(minutes.values()) / 60:.0f}",
    }
