"""The book's citations, all from CITATION.cff: the one file that names its authors, release, site
and repository (GitHub's "Cite this repository" reads it too).

    booktools citation zenodo     rewrite .zenodo.json from CITATION.cff

- :func:`bibtex` and :func:`plain` are what the How-to-cite page shows (its ``{citation}``
  directive). Both cite the release's own address (``<site>/vX.Y.Z/``), which never changes,
  not the site's root, which always shows the newest release. cffconvert writes them; this module
  mends what it gets wrong for a book: BibTeX reads ``author = {The dlbook authors}`` as a person
  (last name "Authors", first names "The dlbook"), so an organisation is braced once more, and
  BibTeX's entry gets the release.
- :func:`zenodo` is Zenodo's record of a release (``.zenodo.json``): cffconvert's fields, plus
  what CITATION.cff cannot say (a book, not software; the site and the repository as related
  works). ``tests/tools/release/test_citation.py`` fails when the committed file differs from it.

To name real authors, replace the ``authors`` entry of CITATION.cff with persons
(``given-names``, ``family-names``, optionally ``orcid``) or keep an organisation (``name``), then
run the command above; every citation follows.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from booktools import project
from booktools.project import CFF, ROOT

ZENODO = ROOT / ".zenodo.json"


def _cffconvert(path: Path):
    from cffconvert.cli.create_citation import create_citation

    return create_citation(str(path), None)


def bibtex_author(author: dict) -> str:
    """One author as BibTeX reads names: an organisation in braces (one name, not a person's
    first and last names); a person as "von Last, Jr, First"."""
    if "name" in author:
        return "{" + author["name"] + "}"
    last = " ".join(filter(None, [author.get("name-particle"), author["family-names"]]))
    parts = [last, author.get("name-suffix"), author.get("given-names")]
    return ", ".join(part for part in parts if part)


def bibtex(path: Path = CFF, key: str = "dlbook") -> str:
    """The BibTeX entry of this release (``@misc``, the release and its own address)."""
    cff = project.citation(path)
    lines = _cffconvert(path).as_bibtex(reference=key).strip().splitlines()
    fields = {line.split(" = ", 1)[0]: i for i, line in enumerate(lines) if " = " in line}
    if not {"author", "url"} <= set(fields) or not lines[-1] == "}":
        raise ValueError(
            f"cffconvert wrote a BibTeX entry this module does not recognise:\n{chr(10).join(lines)}"
        )
    lines[fields["author"]] = "author = {" + " and ".join(bibtex_author(a) for a in cff["authors"]) + "},"
    lines[fields["url"]] = "url = {" + project.release_url(cff) + "},"
    body = [line.rstrip(",") for line in lines[1:-1]] + [f"version = {{{cff['version']}}}"]
    return "\n".join([lines[0], ",\n".join(sorted(body)), "}"])


def plain(path: Path = CFF) -> str:
    """The plain-text (APA-like) citation, with the release's own address."""
    cff = project.citation(path)
    text = _cffconvert(path).as_apalike().strip()
    if not text.endswith(f"URL: {cff['url']}"):
        raise ValueError(f"cffconvert's plain citation does not end with the site's address: {text!r}")
    return text[: -len(cff["url"])] + project.release_url(cff)


def zenodo(path: Path = CFF) -> dict:
    """Zenodo's record of the release (``.zenodo.json``), generated from CITATION.cff."""
    cff = project.citation(path)
    record = json.loads(_cffconvert(path).as_zenodo())
    record.update(
        upload_type="publication",
        publication_type="book",
        access_right="open",
        language="eng",
        related_identifiers=[
            {
                "identifier": cff["repository-code"],
                "relation": "isSupplementedBy",
                "resource_type": "software",
            },
            {"identifier": cff["url"], "relation": "isIdenticalTo", "resource_type": "publication-book"},
            *(
                {"identifier": r["repository-code"], "relation": "isDerivedFrom", "resource_type": "software"}
                for r in cff.get("references", [])
                if r.get("repository-code")
            ),
        ],
        notes="Text and figures: CC BY 4.0 (LICENSE-CONTENT.md). Code: MIT (LICENSE). "
        "Generated from CITATION.cff by booktools citation zenodo; do not edit by hand.",
    )
    return record


def zenodo_text(path: Path = CFF) -> str:
    return json.dumps(zenodo(path), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    if argv != ["zenodo"]:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    ZENODO.write_text(zenodo_text())
    print(f"wrote {ZENODO.relative_to(ROOT)} from CITATION.cff")
    return 0
