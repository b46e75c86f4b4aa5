"""The book's directives.

**Reading times.** The ``{reading-times}`` directive (instructors page) tables every notebook
chapter's words of prose, visible code lines and estimated minutes, counted from the sources at
build time (see ``reading_time.py``), so the figures follow every edit.

**Citation.** The ``{citation}`` directive renders ``CITATION.cff`` as BibTeX (``:format: bibtex``)
or as a plain reference (``:format: apalike``), so the "How to cite" page never drifts from it.

"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util.docutils import SphinxDirective

from booktools import project, reading_time
from booktools.release import citation


class CitationDirective(SphinxDirective):
    """The book's citation, generated from CITATION.cff with cffconvert."""

    option_spec = {"format": lambda value: directives.choice(value, ("bibtex", "apalike"))}

    def run(self):
        path = Path(self.env.srcdir) / "CITATION.cff"
        self.env.note_dependency(str(path))
        if self.options.get("format", "bibtex") == "bibtex":
            text, language = citation.bibtex(path), "bibtex"
        else:
            text, language = citation.plain(path), "text"
        block = nodes.literal_block(text.strip(), text.strip())
        block["language"] = language
        return [block]


class ReadingTimesDirective(SphinxDirective):
    """A table of each notebook chapter's words, code lines and estimated reading time."""

    def run(self):
        root = Path(self.env.srcdir)
        header = [
            "chapter",
            "words of prose",
            "lines of code shown",
            "running time (s)",
            "minutes (estimate)",
        ]
        rows = []
        for docname in project.chapters(root):
            path = root / f"{docname}.md"
            self.env.note_dependency(str(path))
            counted = reading_time.count_file(path, docname, root)
            link = addnodes.pending_xref(
                "", refdomain="std", reftype="doc", reftarget=f"/{docname}", refdoc=self.env.docname,
                refexplicit=False, refwarn=True,
            )  # fmt: skip
            link += nodes.inline(docname, docname)
            running = f"{counted.run_seconds:.0f}"
            rows.append([link, f"{counted.words:,}", str(counted.code_lines), running, str(counted.minutes)])
        table = nodes.table(classes=["reading-times"])
        group = nodes.tgroup(cols=len(header))
        table += group
        group.extend(nodes.colspec(colwidth=1) for _ in header)
        head, body = nodes.thead(), nodes.tbody()
        group += head
        group += body
        for parent, cells in [(head, header), *((body, row) for row in rows)]:
            row_node = nodes.row()
            for cell in cells:
                entry = nodes.entry()
                entry += (
                    nodes.paragraph("", "", cell)
                    if isinstance(cell, nodes.Node)
                    else nodes.paragraph(text=cell)
                )
                row_node += entry
            parent += row_node
        return [table]


def setup(app) -> None:
    app.add_directive("citation", CitationDirective)
    app.add_directive("reading-times", ReadingTimesDirective)
