"""What a release publishes besides its build: both editions put together, the archives attached
to the GitHub release with their checksums, and the table of numbers that changed since the
previous release.

    booktools assets site OUT [PREVIOUS]  the versioned site: this release at the
                                                         root and in OUT/<release>/, each earlier
                                                         release in OUT/<release>/ from its
                                                         archives in PREVIOUS; the student edition
                                                         in student/ of each; versions.json in each
    booktools assets notebooks OUT       the notebooks branch's files: the full
                                                         edition's, the student's under student/
    booktools assets numbers OUT.json    every value the build glued into the text
                                                         (chapter -> name -> the text shown)
    booktools assets changes OLD.json NEW.json
                                                         Markdown: the values that changed
    booktools assets archives OUT VERSION
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

from booktools import project
from booktools.project import ROOT

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


#: The version switcher's list (pydata-sphinx-theme's format), in the root folder of each
#: edition of each release; the pages read their own copy's (booktools.sphinx.buttons).
VERSIONS_JSON = "versions.json"


def version_key(version: str) -> tuple:
    """``v0.10.1`` sorts after ``v0.9.0``."""
    return tuple(int(part) if part.isdigit() else -1 for part in re.split(r"[.-]", version.lstrip("v")))


def versions_list(versions: list[str], site_url: str, latest: str, student: bool = False) -> list[dict]:
    """The switcher's entries, newest first; the latest release is the preferred one, so that
    the pages of every other release show a banner pointing to it."""
    entries = []
    for version in sorted(set(versions), key=version_key, reverse=True):
        entry = {"name": f"{version} (latest)" if version == latest else version, "version": version}
        entry["url"] = f"{site_url}{version}/" + ("student/" if student else "")
        if version == latest:
            entry["preferred"] = True
        entries.append(entry)
    return entries


def _unzip(archive: Path, out: Path) -> None:
    """A release's site archive unpacked into ``out``, without the archive's top folder."""
    with zipfile.ZipFile(archive) as bundle:
        for info in bundle.infolist():
            parts = Path(info.filename).parts[1:]
            if not parts or info.is_dir():
                continue
            if ".." in parts or Path(info.filename).is_absolute():
                raise SystemExit(f"{archive}: refusing the member {info.filename!r}")
            target = out.joinpath(*parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(bundle.read(info))


def site(
    out: Path,
    previous: Path | None = None,
    build_dir: Path = BUILD,
    student_dir: Path = STUDENT,
    root: Path = ROOT,
) -> Path:
    """The site as published, every release under its own path for good.

    This release's two editions go to the root (which always shows the newest release) and to
    ``<release>/``; each earlier release found in ``previous`` (its ``*-html.zip`` and
    ``*-student-html.zip`` archives, as attached to its GitHub release) to ``<release>/``, as it
    was published: nothing is rebuilt. Every edition's root folder gets the same list of
    versions, so the pages of an older release learn of the newer ones.
    """

    settings = project.read_settings(root, "full")
    latest, site_url = settings.helper_ref, settings.site_url
    full, student = _need(build_dir / "html", "make book"), _need(student_dir / "html", "make student")
    _copy_editions(full, student, out)
    _copy_editions(full, student, out / latest)
    versions = [latest]
    pattern = re.compile(rf"{re.escape(PREFIX)}-(v[\w.-]+?)-html\.zip")
    for archive in sorted(previous.iterdir()) if previous else []:
        match = pattern.fullmatch(archive.name)
        if not match or match.group(1) == latest or match.group(1).endswith("-student"):
            continue
        version = match.group(1)
        _unzip(archive, out / version)
        student_archive = archive.with_name(f"{PREFIX}-{version}-student-html.zip")
        if student_archive.exists():
            _unzip(student_archive, out / version / "student")
        versions.append(version)
    for version in [None, *versions]:
        folder = out if version is None else out / version
        for edition_folder, is_student in ((folder, False), (folder / "student", True)):
            if edition_folder.is_dir():
                listing = versions_list(versions, site_url, latest, is_student)
                (edition_folder / VERSIONS_JSON).write_text(json.dumps(listing, indent=1) + "\n")
    return out


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
    # the book's environment (myst-nb, markdown-it, jupytext), which `changes` does not need
    from myst_nb.core.variables import format_plain_text

    from booktools import myst
    from booktools.notebooks import colab

    chapters = {}
    for chapter in project.chapters(root):
        source = (root / f"{chapter}.md").read_text()
        glued = colab.glued_values(build_dir, chapter)
        values = {}
        for use in myst.glue_uses(source):
            key = f"{use.name}:{use.spec}" if use.spec else use.name
            if use.path or use.name not in glued or key in values:
                continue  # another chapter's value, a figure, or a value already listed
            values[key] = {"text": format_plain_text(glued[use.name], use.spec), "before": use.before}
        chapters[chapter] = {"title": myst.title(source) or chapter, "values": values}
    return {"version": project.read_settings(root, "full").helper_ref, "chapters": chapters}


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
    from booktools.release import pdf as book_pdf

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
    if command == "site" and len(args) in (1, 2):
        print(site(Path(args[0]), Path(args[1]) if len(args) == 2 else None))
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
