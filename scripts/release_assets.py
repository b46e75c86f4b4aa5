"""What a release publishes besides its build: both editions put together, the archives attached
to the GitHub release with their checksums, and the table of numbers that changed since the
previous release.

    python scripts/release_assets.py site OUT            the site: the full edition, the student
                                                         edition under OUT/student/
    python scripts/release_assets.py notebooks OUT       the notebooks branch's files: the full
                                                         edition's, the student's under student/
    python scripts/release_assets.py numbers OUT.json    every value the build glued into the text
                                                         (chapter -> name -> the text shown)
    python scripts/release_assets.py changes OLD.json NEW.json
                                                         Markdown: the values that changed
    python scripts/release_assets.py archives OUT VERSION
                                                         the release's files and SHA256SUMS: the
                                                         PDF, both editions' sites and notebooks
                                                         as zip archives, the numbers

They read a finished build: ``make book``, ``make student`` and ``make pdf`` (the publish
workflow runs them first). The changed-numbers table compares two ``numbers`` files, this
release's and the one attached to the previous release, so no old commit has to be built
again; ``changes`` needs nothing but Python.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
STUDENT = BUILD / "student" / "_build"  # where `make student` builds (scripts/build-book)
#: The name every archive of a release starts with.
PREFIX = "first-network"
#: The fixed time stamp of every archive member, so that the same files give the same archive.
ZIP_TIME = (2020, 1, 1, 0, 0, 0)


def _need(path: Path, made_by: str) -> Path:
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `{made_by}` first.")
    return path


def _copy_editions(full: Path, student: Path, out: Path) -> Path:
    """``full`` copied to ``out``, with ``student`` copied to ``out/student``."""
    if (full / "student").exists():
        raise SystemExit(f"{full} already has a student/ folder; the student edition goes there.")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(full, out)
    shutil.copytree(student, out / "student")
    return out


def site(out: Path) -> Path:
    """The site as published: the full edition at the root, the student edition in student/."""
    return _copy_editions(_need(BUILD / "html", "make book"), _need(STUDENT / "html", "make student"), out)


def notebooks(out: Path) -> Path:
    """The notebooks branch's files: the Colab buttons of the student edition open student/."""
    return _copy_editions(
        _need(BUILD / "notebooks", "make book"), _need(STUDENT / "notebooks", "make student"), out
    )


def numbers(build_dir: Path = BUILD, root: Path = ROOT) -> dict:
    """Every number and word a build glued into the text, as the page shows it (formatted as on
    the page), by chapter: ``{"version", "chapters": {docname: {"title", "values": {key:
    {"text", "before"}}}}}``. A key is the glued name with its format (``acc:.1%``); ``before``
    is the few words just before its first place in the text, to find it on the page."""
    import colab  # jupytext, myst-nb...: the book's environment, which `changes` does not need
    from myst_nb.core.variables import format_plain_text

    chapters = {}
    for chapter in colab.chapters(root):
        source = (root / f"{chapter}.md").read_text()
        glued = colab.glued_values(build_dir, chapter)
        values = {}
        for match in colab.GLUE_ROLE.finditer(source):
            name, spec = match.group(1), match.group(2) or ""
            key = f"{name}:{spec}" if spec else name
            if name not in glued or key in values:
                continue  # a figure, or a value already listed
            values[key] = {
                "text": format_plain_text(glued[name], spec),
                "before": _words_before(source, match.start()),
            }
        title = re.search(r"^# (.+)$", source, re.M)
        chapters[chapter] = {"title": title.group(1).strip() if title else chapter, "values": values}
    return {"version": colab.read_settings(root, "full").helper_ref, "chapters": chapters}


def _words_before(source: str, position: int, count: int = 8) -> str:
    """The last few words of prose before a position, without markup: where a value sits.
    Other glued values in them show as "…"."""
    paragraph = source[:position].rsplit("\n\n", 1)[-1]
    plain = re.sub(r"\{glue(?::text)?\}`[^`]*`", "…", paragraph)
    plain = re.sub(r"\{[\w:.-]+\}`([^`<]*?)\s*(?:<[^`]*>)?`", r"\1", plain)
    words = re.sub(r"[*`]", "", plain).split()
    return ("… " if len(words) > count else "") + " ".join(words[-count:])


def changed(old: dict, new: dict) -> list[tuple[str, str, str, str]]:
    """(chapter title, where, old, new) for every value whose text on the page differs between
    two ``numbers``; a value only one of them has shows "—" for the other. In reading order."""
    rows = []
    chapters = list(new["chapters"]) + [c for c in old["chapters"] if c not in new["chapters"]]
    for chapter in chapters:
        before = old["chapters"].get(chapter, {"values": {}})
        after = new["chapters"].get(chapter, {"values": {}})
        title = after.get("title") or before.get("title") or chapter
        keys = list(after["values"]) + [k for k in before["values"] if k not in after["values"]]
        for key in keys:
            was, now = before["values"].get(key), after["values"].get(key)
            if (was or {}).get("text") != (now or {}).get("text"):
                where = (now or was)["before"] or key
                rows.append((title, where, was["text"] if was else "—", now["text"] if now else "—"))
    return rows


def changes_markdown(old: dict, new: dict) -> str:
    """The release notes' table of changed values, for instructors updating their slides."""
    rows = changed(old, new)
    head = f"### Numbers that changed since {old['version']}\n\n"
    if not rows:
        return head + f"None: every value in the text of {new['version']} reads as in {old['version']}.\n"
    cell = lambda text: str(text).replace("|", "\\|").replace("\n", " ")  # noqa: E731
    lines = [
        f"{len(rows)} values in the text read differently from {old['version']}, as the pages show "
        "them (each release's own run; values that depend on training move between runs).",
        "",
        f"| chapter | in the text after | {old['version']} | {new['version']} |",
        "|---|---|---|---|",
        *(f"| {cell(c)} | {cell(w)} | {cell(o)} | {cell(v)} |" for c, w, o, v in rows),
    ]
    return head + "\n".join(lines) + "\n"


def _zip_folder(folder: Path, archive: Path, top: str) -> None:
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{top}/{path.relative_to(folder).as_posix()}", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            bundle.writestr(info, path.read_bytes(), compress_type=zipfile.ZIP_DEFLATED)


def archives(out: Path, version: str, build_dir: Path = BUILD, student_dir: Path = STUDENT) -> list[Path]:
    """The files attached to a GitHub release, and SHA256SUMS listing them (``sha256sum -c``
    checks a download)."""
    import book_pdf

    out.mkdir(parents=True, exist_ok=True)
    pdf = _need(build_dir / "html" / book_pdf.PDF_NAME, "make pdf")
    shutil.copyfile(pdf, out / f"{PREFIX}-{version}.pdf")
    parts = {
        "html": _need(build_dir / "html", "make book"),
        "student-html": _need(student_dir / "html", "make student"),
        "notebooks": _need(build_dir / "notebooks", "make book"),
        "student-notebooks": _need(student_dir / "notebooks", "make student"),
    }
    written = [out / f"{PREFIX}-{version}.pdf"]
    for part, folder in parts.items():
        name = f"{PREFIX}-{version}-{part}"
        _zip_folder(folder, out / f"{name}.zip", name)
        written.append(out / f"{name}.zip")
    numbers_file = out / f"{PREFIX}-{version}-numbers.json"
    numbers_file.write_text(json.dumps(numbers(build_dir), indent=1, ensure_ascii=False) + "\n")
    written.append(numbers_file)
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in written)
    (out / "SHA256SUMS").write_text(sums)
    return [*written, out / "SHA256SUMS"]


def main(argv: list[str]) -> int:
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    if command == "site" and len(args) == 1:
        print(site(Path(args[0])))
    elif command == "notebooks" and len(args) == 1:
        print(notebooks(Path(args[0])))
    elif command == "numbers" and len(args) == 1:
        Path(args[0]).write_text(json.dumps(numbers(), indent=1, ensure_ascii=False) + "\n")
    elif command == "changes" and len(args) == 2:
        old, new = (json.loads(Path(a).read_text()) for a in args)
        print(changes_markdown(old, new), end="")
    elif command == "archives" and len(args) == 2:
        for path in archives(Path(args[0]), args[1]):
            print(path)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
