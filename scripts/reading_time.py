"""How long each chapter takes, counted from its source (the instructors page shows it).

Prose words are counted outside code cells, with MyST markup (roles, directive options, labels,
hidden cells) left out; code lines are the non-blank lines of the code cells a reader sees
(cells tagged ``remove-cell`` are not shown). The estimate reads prose at ``WORDS_PER_MINUTE``
and gives each visible code line ``SECONDS_PER_CODE_LINE`` to read and run.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

WORDS_PER_MINUTE = 200
SECONDS_PER_CODE_LINE = 10

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

    @property
    def minutes(self) -> int:
        return math.ceil(self.words / WORDS_PER_MINUTE + self.code_lines * SECONDS_PER_CODE_LINE / 60)


def count(text: str) -> Count:
    """Words of prose and visible lines of code in one chapter's MyST source."""
    text = _FRONT_MATTER.sub("", text)
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


def count_file(path: Path) -> Count:
    return count(path.read_text(encoding="utf-8"))
