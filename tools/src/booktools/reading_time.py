"""How long each chapter takes a beginner who reads it and runs every cell (the landing page and
the instructors page show it).

The source is read with the parser myst-parser itself uses (markdown-it-py and its MyST plugins).
Prose words are counted outside code cells, with MyST markup (roles, directive options, labels,
hidden cells) left out; code lines are the non-blank lines of the code cells and code blocks a
reader sees (cells tagged ``remove-cell`` are not shown). The estimate reads prose at ``WORDS_PER_MINUTE``,
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

from booktools import myst

WORDS_PER_MINUTE = 100
SECONDS_PER_CODE_LINE = 20

#: A word, as a reader reads one: "784", "one-hot", "x_train", "0.01", "reader's".
_WORD = re.compile(r"[A-Za-z0-9][\w'’.,%-]*")


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


def _reading(root: Path) -> dict:
    """The benchmark's timing of each chapter's code for the reading times (``booktools benchmark
    reading``): ``{"machine": {..., "date"}, "chapter_seconds": {docname: seconds}}``, or {} for
    a book without the benchmark's file, such as the small books the tests build."""
    import json

    path = root / MEASUREMENTS
    return json.loads(path.read_text())["reading"] if path.exists() else {}


def run_seconds(docname: str, root: Path) -> float:
    """How long the chapter's cells take to run on a CPU, from the benchmark (0 for a page it did
    not time, such as the appendix, which only reads the benchmark's results)."""
    return float(_reading(root).get("chapter_seconds", {}).get(docname, 0.0))


def _inline_words(tokens) -> int:
    words = 0
    for token in tokens:
        if token.type == "myst_role":
            name, content = token.meta.get("name", ""), token.content
            if name == "checked":  # the sentence, without the name of its condition
                words += _inline_words(
                    myst.parser().parseInline(re.sub(r"\s*<\w+>\s*$", "", content))[0].children
                )
            else:  # a link's text without its target, a glued value's name without its format
                words += len(_WORD.findall(re.sub(r"<[^>]*>|:[^`]*$", "", content)))
        elif token.type in ("text", "code_inline", "math_inline"):
            words += len(_WORD.findall(token.content))
        elif token.children:
            words += _inline_words(token.children)
    return words


def _count_tokens(tokens) -> tuple[int, int]:
    words = code_lines = 0
    for token in tokens:
        if token.type == "inline":
            words += _inline_words(token.children or [])
        elif token.type in ("fence", "colon_fence"):
            name = token.info.strip().split(maxsplit=1)[0] if token.info.strip() else ""
            options, body = myst.options(token.content) if name.startswith("{") else ({}, token.content)
            if name == "{code-cell}":
                if "remove-cell" not in (options.get("tags") or []):
                    code_lines += sum(1 for line in body.splitlines() if line.strip())
            elif name.startswith("{"):  # a directive whose content is MyST: an exercise, a caption...
                inner_words, inner_lines = _count_tokens(myst.parser().parse(body))
                words, code_lines = words + inner_words, code_lines + inner_lines
            else:  # a plain code block, shown
                code_lines += sum(1 for line in body.splitlines() if line.strip())
        elif token.type in ("math_block", "amsmath", "code_block"):
            words += len(_WORD.findall(token.content))
    return words, code_lines


def count(text: str) -> Count:
    """Words of prose and visible lines of code in one chapter's MyST source, read with MyST's own
    parser: labels, front matter and directive options are not read; a role counts by the words
    it shows (a checked sentence by its sentence, a link by its text)."""
    words, code_lines = _count_tokens(myst.parser().parse(text))
    return Count(words, code_lines)


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
        "run_seconds_date": _reading(root).get("machine", {}).get("date", "(not measured)"),
    }
