"""The table of contents and the chapters in book/ agree, both ways."""

import re
from pathlib import Path

from booktools import project

ROOT = Path(__file__).resolve().parents[1]


def toc_files() -> list[str]:
    return project.toc_pages(ROOT)


def test_every_chapter_is_in_the_toc_and_every_toc_entry_exists():
    on_disk = sorted(p.relative_to(ROOT).with_suffix("").as_posix() for p in (ROOT / "book").rglob("*.md"))
    assert sorted(toc_files()) == on_disk


# prose pages, no code to run
NOT_NOTEBOOKS = {"book/index", "book/instructors", "book/citing", "book/glossary"}


def test_chapters_are_myst_notebooks_without_outputs():
    assert not list((ROOT / "book").rglob("*.ipynb")), "notebooks belong in the build output, not in book/"
    for name in toc_files():
        text = (ROOT / f"{name}.md").read_text()
        if name in NOT_NOTEBOOKS:
            assert "{code-cell}" not in text and not text.startswith("---"), f"{name} should be plain prose"
        else:
            assert text.startswith("---\njupytext:"), f"{name}.md lacks the jupytext header"
            assert "format_name: myst" in text.split("---")[1]


def test_every_code_cell_written_is_a_code_cell_read():
    """A fence the Markdown parser does not see as one (a backtick in a directive's title: CommonMark
    allows none in a backtick fence's info string) swallows the code cells after it into prose,
    and the chapter silently loses them. Every ```{code-cell} line must come back as a code cell."""
    import jupytext

    for name in toc_files():
        text = (ROOT / f"{name}.md").read_text()
        written = len(re.findall(r"^```\{code-cell\}", text, re.M))
        read = sum(c.cell_type == "code" for c in jupytext.reads(text, fmt="md:myst").cells)
        assert read == written, f"{name}: {written} code cells written, {read} read"
        fences = re.findall(r"^```+\{[\w:-]+\}[^\n]*`[^\n]*$", text, re.M)
        assert not fences, f"{name}: a backtick in a directive's first line ends its fence early: {fences}"
