"""What a release attaches and says: the table of numbers that changed since the previous
release, the archives of both editions with their checksums (scripts/release_assets.py), and the
GitHub release made from them (scripts/publish-release, against a fake GitHub CLI)."""

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import colab
import pytest
import release_assets
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = colab.read_settings(ROOT, "full")


def chapter(title: str, **values: tuple[str, str]) -> dict:
    return {"title": title, "values": {k: {"text": t, "before": w} for k, (t, w) in values.items()}}


OLD = {
    "version": "v0.1.0",
    "chapters": {
        "book/a": chapter("A", acc=("91.0%", "accuracy"), n=("60,000", "images"), gone=("x", "old"))
    },
}
NEW = {
    "version": "v0.2.0",
    "chapters": {
        "book/a": chapter("A", acc=("93.0%", "accuracy"), n=("60,000", "images"), new=("2", "added")),
        "book/b": chapter("B", k=("1|2", "a pipe")),
    },
}


def test_changed_numbers_in_reading_order_with_added_and_removed_values():
    assert release_assets.changed(OLD, NEW) == [
        ("A", "accuracy", "91.0%", "93.0%"),
        ("A", "added", "—", "2"),
        ("A", "old", "x", "—"),
        ("B", "a pipe", "—", "1|2"),
    ]
    table = release_assets.changes_markdown(OLD, NEW)
    assert "| chapter | in the text after | v0.1.0 | v0.2.0 |" in table
    assert "| A | accuracy | 91.0% | 93.0% |" in table
    assert "| B | a pipe | — | 1\\|2 |" in table  # a | in a value does not break the table
    assert "60,000" not in table  # unchanged values are not listed
    assert "4 values" in table


def test_no_changes_says_so():
    assert "None: every value" in release_assets.changes_markdown(OLD, OLD)


def test_the_words_before_a_value_locate_it():
    source = (
        "First paragraph.\n\nThe network got {glue:text}`acc:.1%` on the {term}`validation set <val>` after"
    )
    position = source.index("{glue")
    assert release_assets._words_before(source, position) == "The network got"
    assert release_assets._words_before("a b c d e f g h i j {glue}`x`", 20) == "… c d e f g h i j"


# --- from the real build ---------------------------------------------------------------------


@pytest.mark.book
def test_numbers_are_the_values_as_the_pages_show_them():
    numbers = release_assets.numbers()
    training = numbers["chapters"]["book/training"]
    assert training["title"] == "Training the network"
    page = BeautifulSoup((ROOT / "_build/html/book/training.html").read_text(), "html.parser").get_text(" ")
    page = " ".join(page.split())
    shown = [v for v in training["values"].values() if v["text"]]
    assert len(shown) >= 10
    for value in shown:  # each as the page prints it, after the words the table names
        assert value["text"] in page, value
    assert sum(len(c["values"]) for c in numbers["chapters"].values()) > 100
    changed = json.loads(json.dumps(numbers))
    changed["version"] = "v9"
    key = next(iter(changed["chapters"]["book/training"]["values"]))
    changed["chapters"]["book/training"]["values"][key]["text"] = "changed"
    rows = release_assets.changed(numbers, changed)
    assert rows == [
        (
            "Training the network",
            training["values"][key]["before"],
            training["values"][key]["text"],
            "changed",
        )
    ]


@pytest.mark.book
def test_archives_hold_both_editions_and_their_checksums(tmp_path):
    files = release_assets.archives(tmp_path, "v0.1.0")
    names = [p.name for p in files]
    assert names == [
        "first-network-v0.1.0.pdf",
        "first-network-v0.1.0-html.zip",
        "first-network-v0.1.0-student-html.zip",
        "first-network-v0.1.0-notebooks.zip",
        "first-network-v0.1.0-student-notebooks.zip",
        "first-network-v0.1.0-numbers.json",
        "SHA256SUMS",
    ]
    sums = dict(line.split("  ")[::-1] for line in (tmp_path / "SHA256SUMS").read_text().splitlines())
    assert sums == {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files[:-1]}
    with zipfile.ZipFile(tmp_path / "first-network-v0.1.0-student-html.zip") as bundle:
        members = bundle.namelist()
    assert "first-network-v0.1.0-student-html/index.html" in members
    with zipfile.ZipFile(tmp_path / "first-network-v0.1.0-notebooks.zip") as bundle:
        assert "first-network-v0.1.0-notebooks/book/training.ipynb" in bundle.namelist()
    again = release_assets.archives(tmp_path / "again", "v0.1.0")
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in files]  # reproducible


@pytest.mark.book
def test_the_site_puts_the_student_edition_beside_the_full_one(tmp_path):
    site = release_assets.site(tmp_path / "site")
    assert (site / "index.html").read_bytes() == (ROOT / "_build/html/index.html").read_bytes()
    assert (site / "student" / "index.html").read_bytes() == (
        ROOT / "_build/student/_build/html/index.html"
    ).read_bytes()
    notebooks = release_assets.notebooks(tmp_path / "notebooks")
    assert (notebooks / "book" / "training.ipynb").is_file()
    assert (notebooks / "student" / "book" / "training.ipynb").is_file()


# --- the GitHub release ------------------------------------------------------------------------

FAKE_GH = f"""#!{sys.executable} -S
import fnmatch, json, os, shutil, sys

args = sys.argv[1:]
notes = args[args.index("--notes-file") + 1] if "--notes-file" in args else None
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "notes": notes and open(notes).read()}}) + "\\n")
if args[:2] == ["release", "list"]:
    print(os.environ.get("FAKE_RELEASES", ""))
elif args[:2] == ["release", "download"]:
    # the assets of each release are the files in FAKE_ASSETS/<tag>/
    assets = os.path.join(os.environ.get("FAKE_ASSETS", "/nonexistent"), args[2])
    patterns = [args[i + 1] for i, a in enumerate(args) if a == "--pattern"]
    names = sorted(os.listdir(assets)) if os.path.isdir(assets) else []
    chosen = [n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)]
    if not chosen:
        print("no assets match the file pattern", file=sys.stderr)
        sys.exit(1)
    folder = args[args.index("--dir") + 1]
    os.makedirs(folder, exist_ok=True)
    for name in chosen:
        shutil.copy(os.path.join(assets, name), folder)
elif args[:2] == ["release", "view"]:
    sys.exit(int(os.environ.get("FAKE_VIEW", "1")))
"""


def fake_gh(tmp_path) -> dict:
    """The environment that puts the fake gh first on PATH, logging to tmp_path/gh.jsonl."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_GH_LOG": str(tmp_path / "gh.jsonl"),
        "GITHUB_REPOSITORY": "me/book",
    }


def gh_calls(tmp_path) -> list[dict]:
    log = tmp_path / "gh.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def with_sums(folder: Path) -> Path:
    files = sorted(p for p in folder.iterdir() if p.name != "SHA256SUMS")
    (folder / "SHA256SUMS").write_text(
        "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files)
    )
    return folder


def publish_release(tmp_path, damaged=False, **env):
    """Run scripts/publish-release on a small release folder with the fake gh;
    ``damaged`` changes an archive after its checksum was written."""
    release_dir = tmp_path / "release"
    release_dir.mkdir()
    (release_dir / "first-network-v0.2.0-numbers.json").write_text(json.dumps(NEW))
    (release_dir / "first-network-v0.2.0-html.zip").write_bytes(b"zip")
    with_sums(release_dir)
    if damaged:
        (release_dir / "first-network-v0.2.0-html.zip").write_bytes(b"damaged")
    result = subprocess.run(
        [ROOT / "scripts" / "publish-release", release_dir, "v0.2.0"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**fake_gh(tmp_path), **env},
    )
    return result, gh_calls(tmp_path), release_dir


def test_a_release_attaches_every_file_and_tables_the_changed_numbers(tmp_path):
    (tmp_path / "assets" / "v0.1.0").mkdir(parents=True)
    (tmp_path / "assets" / "v0.1.0" / "first-network-v0.1.0-numbers.json").write_text(json.dumps(OLD))
    result, calls, release_dir = publish_release(
        tmp_path, FAKE_RELEASES="v0.2.0\nv0.1.0", FAKE_ASSETS=str(tmp_path / "assets")
    )
    assert result.returncode == 0, result.stderr
    download = next(c["args"] for c in calls if c["args"][:2] == ["release", "download"])
    assert download[2] == "v0.1.0"  # the newest release other than this one
    create = next(c for c in calls if c["args"][:2] == ["release", "create"])
    assert create["args"][2] == "v0.2.0" and "--verify-tag" in create["args"]
    attached = {Path(a).name for a in create["args"] if a.startswith(str(release_dir))}
    assert attached == {p.name for p in release_dir.iterdir()}
    assert "| A | accuracy | 91.0% | 93.0% |" in create["notes"]


def test_a_rerun_replaces_the_files_and_notes_and_a_first_release_says_so(tmp_path):
    result, calls, _ = publish_release(tmp_path, FAKE_RELEASES="v0.2.0", FAKE_VIEW="0")
    assert result.returncode == 0, result.stderr
    kinds = [c["args"][:2] for c in calls]
    assert ["release", "create"] not in kinds
    assert ["release", "upload"] in kinds and ["release", "edit"] in kinds
    upload = next(c["args"] for c in calls if c["args"][:2] == ["release", "upload"])
    assert "--clobber" in upload
    edit = next(c for c in calls if c["args"][:2] == ["release", "edit"])
    assert "This is the first release." in edit["notes"]


def test_a_damaged_archive_is_not_published(tmp_path):
    result, calls, _ = publish_release(tmp_path, damaged=True, FAKE_RELEASES="")
    assert result.returncode != 0 and "FAILED" in result.stdout + result.stderr
    assert calls == []  # nothing was sent to GitHub


def test_the_publish_workflow_publishes_what_release_assets_writes():
    import yaml

    jobs = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())["jobs"]
    build = jobs["build"]["steps"]
    assembled = next(s["run"] for s in build if "release_assets.py archives" in s.get("run", ""))
    assert "release_assets.py site _build/site _build/previous" in assembled
    fetched = next(s["run"] for s in build if "previous-releases" in s.get("run", ""))
    assert fetched.startswith("scripts/previous-releases _build/previous ")
    assert "release_assets.py notebooks _build/publish-notebooks" in assembled
    assert "release_assets.py archives _build/release" in assembled
    uploads = {s["with"]["name"]: s["with"]["path"] for s in build if "upload" in s.get("uses", "")}
    assert uploads["colab-notebooks"] == "_build/publish-notebooks/"
    assert uploads["release-files"] == "_build/release/"
    assert any(path == "_build/site/" for name, path in uploads.items() if name.startswith("github-pages"))
    assert any("make student pdf" == s.get("run") for s in build)
    release = jobs["release"]
    downloaded = next(s["with"] for s in release["steps"] if "download-artifact" in s.get("uses", ""))
    assert downloaded == {"name": "release-files", "path": "_build/release/"}
    assert any(
        s.get("run", "").startswith("scripts/publish-release _build/release ") for s in release["steps"]
    )
    assert release["permissions"] == {"contents": "write"} and "verify" in release["needs"]


# --- the versioned site ----------------------------------------------------------------------


def site_archive(folder: Path, name: str, files: dict[str, str]) -> Path:
    """A release's site archive as release_assets.archives writes it (one top folder)."""
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path, text in files.items():
            bundle.writestr(f"{name}/{path}", text)
    return archive


def test_earlier_releases_come_from_their_checked_archives(tmp_path):
    assets = tmp_path / "assets"
    old = assets / "v0.1.0"
    old.mkdir(parents=True)
    site_archive(old, "first-network-v0.1.0-html", {"index.html": "old"})
    site_archive(old, "first-network-v0.1.0-student-html", {"index.html": "old student"})
    with_sums(old)
    (assets / "v0.0.1").mkdir()
    (assets / "v0.0.1" / "notes.txt").write_text("a release from before the archives")
    env = {**fake_gh(tmp_path), "FAKE_RELEASES": "v0.2.0\nv0.1.0\nv0.0.1", "FAKE_ASSETS": str(assets)}
    out = tmp_path / "previous"
    result = subprocess.run(
        [ROOT / "scripts/previous-releases", out, "v0.2.0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "first-network-v0.1.0-html.zip",
        "first-network-v0.1.0-student-html.zip",
    ]
    assert "v0.0.1 has no site archives" in result.stdout
    assert all(
        c["args"][2] != "v0.2.0" for c in gh_calls(tmp_path) if c["args"][:2] == ["release", "download"]
    )
    (old / "first-network-v0.1.0-html.zip").write_bytes(b"tampered")
    damaged = subprocess.run(
        [ROOT / "scripts/previous-releases", tmp_path / "again", "v0.2.0"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert damaged.returncode != 0 and "FAILED" in damaged.stdout + damaged.stderr


def test_the_site_keeps_every_release_under_its_own_path(tmp_path):
    build, student = tmp_path / "build", tmp_path / "student"
    for folder, text in ((build / "html", "new"), (student / "html", "new student")):
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(text)
    previous = tmp_path / "previous"
    previous.mkdir()
    site_archive(previous, "first-network-v0.0.9-html", {"index.html": "old", "book/a.html": "old a"})
    site_archive(previous, "first-network-v0.0.9-student-html", {"index.html": "old student"})
    site_archive(previous, "first-network-v0.0.10-html", {"index.html": "older? no, newer"})
    site = release_assets.site(tmp_path / "site", previous, build, student)
    latest = SETTINGS.helper_ref
    assert (site / "index.html").read_text() == "new" and (site / latest / "index.html").read_text() == "new"
    assert (site / latest / "student" / "index.html").read_text() == "new student"
    assert (site / "v0.0.9" / "book" / "a.html").read_text() == "old a"  # as it was published
    assert (site / "v0.0.9" / "student" / "index.html").read_text() == "old student"
    listing = json.loads((site / "v0.0.9" / "versions.json").read_text())
    assert [e["version"] for e in listing] == [latest, "v0.0.10", "v0.0.9"]  # newest first, 10 > 9
    assert [e.get("preferred", False) for e in listing] == [True, False, False]
    assert listing[0]["url"] == f"{SETTINGS.site_url}{latest}/" and listing[0]["name"].endswith("(latest)")
    # every copy has the same list, so an old release's pages learn of the newer ones
    assert json.loads((site / "versions.json").read_text()) == listing
    student_listing = json.loads((site / "v0.0.9" / "student" / "versions.json").read_text())
    assert [e["url"] for e in student_listing] == [e["url"] + "student/" for e in listing]
    assert not (site / "v0.0.10" / "student").exists()
