"""What a release attaches and says: the table of numbers that changed since the previous
release, the archives of both editions with their checksums (booktools.release.assets), and the
GitHub release made from them (scripts/publish-release, against a fake GitHub CLI)."""

import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from booktools import project
from booktools.release import assets as release_assets

ROOT = Path(__file__).resolve().parents[3]
SETTINGS = project.read_settings(ROOT, "full")


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


def test_the_release_notes_need_only_booktools():
    """The draft job installs booktools alone (no markdown-it, myst-nb, jupytext, PyYAML): the
    table of changed numbers must work without them."""
    missing = ["markdown_it", "myst_nb", "myst_parser", "jupytext", "yaml", "nbformat", "bs4"]
    code = (
        "import sys\n"
        + "".join(f"sys.modules[{name!r}] = None\n" for name in missing)  # importing it fails
        + "from booktools.cli import main\nsys.exit(main(sys.argv[1:]))"
    )
    old, new = (Path(tempfile.mkdtemp()) / "numbers.json" for _ in range(2))
    old.write_text(json.dumps(OLD))
    new.write_text(json.dumps(NEW))
    done = subprocess.run(
        [sys.executable, "-c", code, "assets", "changes", str(old), str(new)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == release_assets.changes_markdown(OLD, NEW)


def test_no_changes_says_so():
    assert "None: every value" in release_assets.changes_markdown(OLD, OLD)


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

#: A stand-in for the GitHub CLI: the releases are the folders of $FAKE_ASSETS (a folder per tag
#: holding its assets; a file <tag>.draft beside it while the release is a draft), so a fake
#: release made by one script is seen by the next. Like GitHub, it lists and finds drafts only for
#: a token with push access (FAKE_CAN_PUSH=1: contents: write); with FAKE_IMMUTABLE=1 a published
#: release's files cannot change (GitHub's immutable releases). FAKE_FAIL_DOWNLOAD=<tag>[:<n>]
#: makes `release download <tag>` answer HTTP 502 (every time, or the first n times);
#: FAKE_FAIL=<subcommand> makes that `release` subcommand fail with HTTP 502 (`create` after
#: creating the release with its first file only, as an interrupted upload leaves it).
#: For the link check: FAKE_RUNS (the JSON of `run list`), FAKE_ARTIFACTS (the JSON of the run's
#: artifacts) and FAKE_ARTIFACT_DIR (a folder per artifact, which `run download --name` copies).
#: Every call is logged.
FAKE_GH = f"""#!{sys.executable} -S
import fnmatch, json, os, re, shutil, sys

args = sys.argv[1:]
notes = args[args.index("--notes-file") + 1] if "--notes-file" in args else None
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "notes": notes and open(notes).read()}}) + "\\n")
releases = os.environ.get("FAKE_ASSETS", "/nonexistent")
can_push = os.environ.get("FAKE_CAN_PUSH", "1") == "1"
immutable = os.environ.get("FAKE_IMMUTABLE") == "1"


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def option(name):
    return args[args.index(name) + 1] if name in args else None


def is_draft(tag):
    return os.path.exists(os.path.join(releases, tag + ".draft"))


def found(tag):
    folder = os.path.join(releases, tag)
    if not os.path.isdir(folder) or (is_draft(tag) and not can_push):
        fail("release not found")
    return folder


def key(tag):
    return [int(n) for n in re.findall(r"\\d+", tag)]


def may_change_files(tag):
    if immutable and not is_draft(tag):
        fail(f"HTTP 422: Cannot modify the assets of {{tag}}: the release is immutable")


def failing(subcommand):
    if os.environ.get("FAKE_FAIL") == subcommand:
        fail("HTTP 502: Bad Gateway (https://api.github.com/)")


def attach(tag, files, clobber):
    for path in files:
        target = os.path.join(releases, tag, os.path.basename(path))
        if os.path.exists(target) and not clobber:
            fail(f"asset under the same name already exists: {{os.path.basename(path)}}")
        shutil.copy(path, target)


if args[:2] == ["release", "list"]:
    tags = sorted((t for t in os.listdir(releases) if os.path.isdir(os.path.join(releases, t)))
                  if os.path.isdir(releases) else [], key=key, reverse=True)
    shown = [{{"tagName": t, "isDraft": is_draft(t), "isPrerelease": False}} for t in tags
             if not (is_draft(t) and (not can_push or "--exclude-drafts" in args))]
    print(json.dumps(shown))
elif args[:2] == ["release", "view"]:
    folder = found(args[2])
    names = sorted(os.listdir(folder))
    assets = [{{"name": n, "size": os.path.getsize(os.path.join(folder, n))}} for n in names]
    print(json.dumps({{"tagName": args[2], "isDraft": is_draft(args[2]), "assets": assets}}))
elif args[:2] == ["release", "download"]:
    tag, failures = args[2], os.environ.get("FAKE_FAIL_DOWNLOAD", "").split(":")
    if failures[0] == tag:
        counter = os.path.join(releases, f".downloads-failed-{{tag}}")
        so_far = int(open(counter).read()) if os.path.exists(counter) else 0
        if len(failures) == 1 or so_far < int(failures[1]):
            open(counter, "w").write(str(so_far + 1))
            fail("HTTP 502: Bad Gateway (https://api.github.com/repos/me/book/releases/assets/1)")
    assets = found(tag)
    patterns = [args[i + 1] for i, a in enumerate(args) if a == "--pattern"]
    names = sorted(os.listdir(assets))
    chosen = [n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)]
    if not chosen:
        fail("no assets match the file pattern")
    folder = option("--dir")
    os.makedirs(folder, exist_ok=True)
    for name in chosen:
        shutil.copy(os.path.join(assets, name), folder)
elif args[:2] == ["release", "create"]:
    tag = args[2]
    if os.path.isdir(os.path.join(releases, tag)):
        fail("HTTP 422: Validation Failed: a release with the same tag name already exists")
    files = [a for a in args[3:] if os.path.isfile(a) and a != notes]
    os.makedirs(os.path.join(releases, tag))
    if "--draft" in args:
        open(os.path.join(releases, tag + ".draft"), "w").close()
    if os.environ.get("FAKE_FAIL") == "create":
        attach(tag, files[:1], False)
        failing("create")
    attach(tag, files, False)
elif args[:2] == ["release", "upload"]:
    found(args[2])
    failing("upload")
    may_change_files(args[2])
    attach(args[2], [a for a in args[3:] if os.path.isfile(a)], "--clobber" in args)
elif args[:2] == ["release", "delete-asset"]:
    found(args[2])
    may_change_files(args[2])
    os.remove(os.path.join(releases, args[2], args[3]))
elif args[:2] == ["release", "edit"]:
    found(args[2])
    failing("edit")
    if "--draft=false" in args:
        os.remove(os.path.join(releases, args[2] + ".draft"))
elif args[:2] == ["run", "list"]:
    print(os.environ.get("FAKE_RUNS", "[]"))
elif args[:1] == ["api"] and "/artifacts" in args[1]:
    print(os.environ.get("FAKE_ARTIFACTS", '{{"total_count": 0, "artifacts": []}}'))
elif args[:2] == ["run", "download"]:
    failing("run-download")
    source = os.path.join(os.environ.get("FAKE_ARTIFACT_DIR", "/nonexistent"), option("--name"))
    if not os.path.isdir(source):
        fail("no valid artifacts found to download")
    shutil.copytree(source, option("--dir"), dirs_exist_ok=True)
else:
    fail(f"the fake gh does not know {{args}}")
"""


def fake_gh(tmp_path, can_push: bool = True, **env) -> dict:
    """The environment that puts the fake gh first on PATH, logging to tmp_path/gh.jsonl, with the
    releases in tmp_path/assets (``can_push``: a token that sees drafts) and ``env`` added."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "gh").write_text(FAKE_GH)
    (bin_dir / "gh").chmod(0o755)
    if not (bin_dir / "python3").exists():  # the scripts' python3: this one, with booktools (the job's)
        (bin_dir / "python3").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        (bin_dir / "python3").chmod(0o755)
    (tmp_path / "assets").mkdir(exist_ok=True)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "FAKE_GH_LOG": str(tmp_path / "gh.jsonl"),
        "FAKE_ASSETS": str(tmp_path / "assets"),
        "FAKE_CAN_PUSH": "1" if can_push else "0",
        "GITHUB_REPOSITORY": "me/book",
        "RETRY_DELAY": "0",
        **env,
    }


def gh_calls(tmp_path) -> list[dict]:
    log = tmp_path / "gh.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def fake_release(tmp_path, tag: str, files: dict[str, bytes], draft: bool = False) -> Path:
    """A release in the fake GitHub: its files, and whether it is still a draft."""
    folder = tmp_path / "assets" / tag
    folder.mkdir(parents=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    if draft:
        (tmp_path / "assets" / f"{tag}.draft").touch()
    return folder


def with_sums(folder: Path) -> Path:
    files = sorted(p for p in folder.iterdir() if p.name != "SHA256SUMS")
    (folder / "SHA256SUMS").write_text(
        "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files)
    )
    return folder


def release_folder(tmp_path, damaged=False) -> Path:
    """What release_assets.archives writes for v0.2.0, in small; ``damaged`` changes an archive
    after its checksum was written."""
    release_dir = tmp_path / "release"
    release_dir.mkdir(exist_ok=True)
    (release_dir / "first-network-v0.2.0-numbers.json").write_text(json.dumps(NEW))
    (release_dir / "first-network-v0.2.0-html.zip").write_bytes(b"zip")
    with_sums(release_dir)
    if damaged:
        (release_dir / "first-network-v0.2.0-html.zip").write_bytes(b"damaged")
    return release_dir


def publish_release(tmp_path, *args: str, can_push=True, **env) -> subprocess.CompletedProcess:
    """Run scripts/publish-release with ``args`` against the fake GitHub."""
    return subprocess.run(
        [ROOT / "scripts" / "publish-release", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=fake_gh(tmp_path, can_push, **env),
    )


def draft(tmp_path, editions="", damaged=False, **env):
    """The draft job's step: scripts/publish-release draft on the v0.2.0 release folder."""
    release_dir = release_folder(tmp_path, damaged)
    result = publish_release(tmp_path, "draft", str(release_dir), "v0.2.0", editions, **env)
    return result, gh_calls(tmp_path), release_dir


def held(tmp_path, tag) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (tmp_path / "assets" / tag).iterdir()}


def is_draft(tmp_path, tag) -> bool:
    return (tmp_path / "assets" / f"{tag}.draft").exists()


def test_a_release_is_drafted_with_every_file_and_the_changed_numbers(tmp_path):
    fake_release(tmp_path, "v0.1.0", {"first-network-v0.1.0-numbers.json": json.dumps(OLD).encode()})
    result, calls, release_dir = draft(tmp_path)
    assert result.returncode == 0, result.stderr
    download = next(c["args"] for c in calls if c["args"][:2] == ["release", "download"])
    assert download[2] == "v0.1.0"  # the newest release other than this one
    create = next(c for c in calls if c["args"][:2] == ["release", "create"])
    assert create["args"][2] == "v0.2.0" and {"--draft", "--verify-tag"} <= set(create["args"])
    attached = {Path(a).name for a in create["args"] if a.startswith(str(release_dir))}
    assert attached == {p.name for p in release_dir.iterdir()}
    assert "| A | accuracy | 91.0% | 93.0% |" in create["notes"]
    assert is_draft(tmp_path, "v0.2.0")
    assert held(tmp_path, "v0.2.0") == {p.name: p.read_bytes() for p in release_dir.iterdir()}
    assert not any(c["args"][:2] == ["release", "edit"] for c in calls)  # published only last


def test_a_rerun_of_the_draft_job_replaces_the_drafts_files_and_notes_under_immutability(tmp_path):
    # an earlier attempt's draft, interrupted: one file, and one this run no longer makes
    fake_release(tmp_path, "v0.2.0", {"first-network-v0.2.0-html.zip": b"half", "old.txt": b"x"}, draft=True)
    result, calls, release_dir = draft(tmp_path, FAKE_IMMUTABLE="1")
    assert result.returncode == 0, result.stderr
    kinds = [c["args"][:2] for c in calls]
    assert ["release", "create"] not in kinds
    upload = next(c["args"] for c in calls if c["args"][:2] == ["release", "upload"])
    assert "--clobber" in upload
    edit = next(c for c in calls if c["args"][:2] == ["release", "edit"])
    assert "This is the first release." in edit["notes"] and "--draft=false" not in edit["args"]
    assert held(tmp_path, "v0.2.0") == {p.name: p.read_bytes() for p in release_dir.iterdir()}
    assert is_draft(tmp_path, "v0.2.0")


def test_an_interrupted_draft_fails_and_its_rerun_completes_it(tmp_path):
    result, _, release_dir = draft(tmp_path, FAKE_FAIL="create")
    assert result.returncode != 0 and "HTTP 502" in result.stderr
    assert len(held(tmp_path, "v0.2.0")) == 1  # a draft holding one file
    again, _, _ = draft(tmp_path)
    assert again.returncode == 0, again.stderr
    assert held(tmp_path, "v0.2.0") == {p.name: p.read_bytes() for p in release_dir.iterdir()}


def test_a_rerun_that_finds_the_release_published_changes_nothing(tmp_path):
    release_dir = release_folder(tmp_path)
    fake_release(tmp_path, "v0.2.0", {p.name: p.read_bytes() for p in release_dir.iterdir()})
    result, calls, _ = draft(tmp_path, FAKE_IMMUTABLE="1")
    assert result.returncode == 0, result.stderr
    assert "published already and holds every file" in result.stdout
    changes = {"create", "upload", "edit", "delete-asset"}
    assert not [c for c in calls if c["args"][0] == "release" and c["args"][1] in changes]
    # published with other files than this run built: the publish stops, the release stays
    (tmp_path / "assets" / "v0.2.0" / "SHA256SUMS").write_text("other\n")
    (tmp_path / "gh.jsonl").unlink()
    differs, calls, _ = draft(tmp_path, FAKE_IMMUTABLE="1")
    assert differs.returncode != 0 and "other files than this run built" in differs.stderr
    assert not [c for c in calls if c["args"][0] == "release" and c["args"][1] in changes]


def test_the_draft_job_refuses_while_an_earlier_release_is_a_draft(tmp_path):
    fake_release(tmp_path, "v0.1.0", {"first-network-v0.1.0-html.zip": b"z", "SHA256SUMS": b"s"}, draft=True)
    result, calls, _ = draft(tmp_path)
    assert result.returncode != 0
    assert "v0.1.0 is still a draft: re-run the failed jobs of its publish run first" in result.stderr
    assert not (tmp_path / "assets" / "v0.2.0").exists()
    assert [c["args"][:2] for c in calls] == [["release", "list"]]  # nothing created or changed


def test_the_draft_job_refuses_a_site_built_without_a_published_edition(tmp_path):
    """The build fetched the earlier editions before v0.1.0 was published (it was a draft then,
    which the build's token cannot see): its site would leave v0.1.0 out."""
    fake_release(tmp_path, "v0.1.0", {"first-network-v0.1.0-html.zip": b"z", "SHA256SUMS": b"s"})
    fake_release(tmp_path, "v0.0.1", {"notes.txt": b"from before the archives"})
    result, _, _ = draft(tmp_path, editions="")
    assert result.returncode != 0 and "leaves out v0.1.0" in result.stderr
    assert "re-run all jobs" in result.stderr and not (tmp_path / "assets" / "v0.2.0").exists()
    included, _, _ = draft(tmp_path, editions="v0.1.0")  # v0.0.1 has no archives to miss
    assert included.returncode == 0, included.stderr


def test_a_damaged_archive_is_not_published(tmp_path):
    result, calls, _ = draft(tmp_path, damaged=True)
    assert result.returncode != 0 and "FAILED" in result.stdout + result.stderr
    assert calls == []  # nothing was sent to GitHub


def test_the_last_job_publishes_the_draft_and_a_rerun_leaves_it(tmp_path):
    files = {"first-network-v0.2.0-html.zip": b"z", "SHA256SUMS": b"s"}
    fake_release(tmp_path, "v0.2.0", files, draft=True)
    result = publish_release(tmp_path, "publish", "v0.2.0", FAKE_IMMUTABLE="1")
    assert result.returncode == 0, result.stderr
    assert not is_draft(tmp_path, "v0.2.0")
    assert ["release", "edit", "v0.2.0"] == gh_calls(tmp_path)[-1]["args"][:3]
    assert "--draft=false" in gh_calls(tmp_path)[-1]["args"]
    (tmp_path / "gh.jsonl").unlink()
    again = publish_release(tmp_path, "publish", "v0.2.0", FAKE_IMMUTABLE="1")
    assert again.returncode == 0 and "published already" in again.stdout
    assert [c["args"][:2] for c in gh_calls(tmp_path)] == [["release", "view"]]


def test_publishing_refuses_a_missing_release_or_one_without_its_archives(tmp_path):
    missing = publish_release(tmp_path, "publish", "v0.2.0")
    assert missing.returncode != 0 and "no release v0.2.0" in missing.stderr
    fake_release(tmp_path, "v0.2.0", {"SHA256SUMS": b"s"}, draft=True)
    bare = publish_release(tmp_path, "publish", "v0.2.0")
    assert bare.returncode != 0 and "lacks its site archives" in bare.stderr
    assert is_draft(tmp_path, "v0.2.0")


def test_the_publish_workflow_publishes_what_release_assets_writes():
    import yaml

    jobs = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())["jobs"]
    build = jobs["build"]["steps"]
    assembled = next(s["run"] for s in build if "booktools assets archives" in s.get("run", ""))
    assert "booktools assets site _build/site _build/previous" in assembled
    fetched = next(s for s in build if "previous-releases" in s.get("run", ""))
    assert fetched["run"].startswith("scripts/previous-releases _build/previous ")
    assert jobs["build"]["outputs"]["editions"] == f"${{{{ steps.{fetched['id']}.outputs.editions }}}}"
    assert "booktools assets notebooks _build/publish-notebooks" in assembled
    assert "booktools assets archives _build/release" in assembled
    uploads = {s["with"]["name"]: s["with"]["path"] for s in build if "upload" in s.get("uses", "")}
    assert uploads["colab-notebooks"] == "_build/publish-notebooks/"
    assert uploads["release-files"] == "_build/release/"
    assert any(path == "_build/site/" for name, path in uploads.items() if name.startswith("github-pages"))
    # the draft job, before anything is deployed, with the files and the editions of the build
    drafting = jobs["draft"]
    assert drafting["needs"] == "build" and drafting["permissions"] == {"contents": "write"}
    downloaded = next(s["with"] for s in drafting["steps"] if "download-artifact" in s.get("uses", ""))
    assert downloaded == {"name": "release-files", "path": "_build/release/"}
    step = next(s for s in drafting["steps"] if "publish-release" in s.get("run", ""))
    assert step["run"] == 'scripts/publish-release draft _build/release "$TAG" "$EDITIONS"'
    assert step["env"]["EDITIONS"] == "${{ needs.build.outputs.editions }}"
    assert "draft" in jobs["pages"]["needs"]
    # the last job publishes it, once the site and the notebooks are verified
    release = jobs["release"]
    assert any(s.get("run") == 'scripts/publish-release publish "$TAG"' for s in release["steps"])
    assert release["permissions"] == {"contents": "write"} and "verify" in release["needs"]


def prints_pdf(step: dict) -> bool:
    """A step that prints the PDF (`make pdf`, alone or with other targets)."""
    return "pdf" in step.get("run", "").split()


def test_the_browser_is_there_before_the_pdf_is_printed():
    """A GPU runner's image may have no Chrome: every publish job that prints the PDF installs
    or finds one first (scripts/install-browser)."""
    import yaml

    jobs = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())["jobs"]
    printing = {name: job for name, job in jobs.items() if any(prints_pdf(s) for s in job["steps"])}
    assert set(printing) == {"build"}
    for name, job in printing.items():
        runs = [s.get("run", "") for s in job["steps"]]
        pdf = next(i for i, s in enumerate(job["steps"]) if prints_pdf(s))
        assert "scripts/install-browser" in runs[:pdf], f"{name}: no browser before the PDF"


# --- the versioned site ----------------------------------------------------------------------


def site_archive(folder: Path, name: str, files: dict[str, str]) -> Path:
    """A release's site archive as release_assets.archives writes it (one top folder)."""
    archive = folder / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for path, text in files.items():
            bundle.writestr(f"{name}/{path}", text)
    return archive


def previous_releases(tmp_path, out, **env) -> subprocess.CompletedProcess:
    """The build job's step, scripts/previous-releases, with the build job's token (contents:
    read, which sees no drafts), writing its summary and outputs to files."""
    return subprocess.run(
        [ROOT / "scripts/previous-releases", out, "v0.2.0"],
        capture_output=True,
        text=True,
        env=fake_gh(
            tmp_path,
            can_push=False,
            GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"),
            GITHUB_OUTPUT=str(tmp_path / "output"),
            **env,
        ),
        timeout=60,
    )


def earlier_releases(tmp_path) -> Path:
    """v0.1.0 with its site archives and checksums; v0.0.1 from before archives were attached."""
    old = tmp_path / "assets" / "v0.1.0"
    old.mkdir(parents=True)
    site_archive(old, "first-network-v0.1.0-html", {"index.html": "old"})
    site_archive(old, "first-network-v0.1.0-student-html", {"index.html": "old student"})
    with_sums(old)
    fake_release(tmp_path, "v0.0.1", {"notes.txt": b"a release from before the archives"})
    return old


def test_earlier_releases_come_from_their_checked_archives(tmp_path):
    old = earlier_releases(tmp_path)
    fake_release(tmp_path, "v0.2.0", {"SHA256SUMS": b"this release, an earlier attempt's draft"}, draft=True)
    out = tmp_path / "previous"
    result = previous_releases(tmp_path, out)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == [
        "first-network-v0.1.0-html.zip",
        "first-network-v0.1.0-student-html.zip",
    ]
    assert "::notice::v0.0.1 has no site archives" in result.stdout
    summary = (tmp_path / "summary.md").read_text()
    assert "Left out, from before site archives were attached: v0.0.1." in summary
    assert "editions=v0.1.0\n" == (tmp_path / "output").read_text()
    downloads = [c["args"][2] for c in gh_calls(tmp_path) if c["args"][:2] == ["release", "download"]]
    assert downloads == ["v0.1.0"]
    (old / "first-network-v0.1.0-html.zip").write_bytes(b"tampered")
    damaged = previous_releases(tmp_path, tmp_path / "again")
    assert damaged.returncode != 0 and "FAILED" in damaged.stderr
    assert "::error::Could not download and check the site archives of the release v0.1.0" in damaged.stderr


def test_an_earlier_release_that_does_not_download_fails_the_publish(tmp_path):
    """GitHub answering 502 is not 'this release has no archives': the publish fails, naming it,
    after a few tries, instead of deploying a site without /v0.1.0/."""
    earlier_releases(tmp_path)
    out = tmp_path / "previous"
    result = previous_releases(tmp_path, out, FAKE_FAIL_DOWNLOAD="v0.1.0")
    assert result.returncode != 0
    assert "::error::Could not download and check the site archives of the release v0.1.0" in result.stderr
    assert "HTTP 502" in result.stderr
    downloads = [c for c in gh_calls(tmp_path) if c["args"][:3] == ["release", "download", "v0.1.0"]]
    assert len(downloads) == 4  # tried four times
    assert not list(out.iterdir()) and not (tmp_path / "output").exists()


def test_a_passing_download_error_is_tried_again(tmp_path):
    earlier_releases(tmp_path)
    out = tmp_path / "previous"
    result = previous_releases(tmp_path, out, FAKE_FAIL_DOWNLOAD="v0.1.0:2")
    assert result.returncode == 0, result.stderr
    assert "trying again" in result.stderr and len(list(out.iterdir())) == 2


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


# --- the weekly link check's site --------------------------------------------------------------


def published_site(tmp_path, **env) -> tuple[subprocess.CompletedProcess, dict[str, str]]:
    """linkcheck.yml's download step, scripts/published-site, against the fake GitHub; returns
    its result and its outputs."""
    output = tmp_path / "output"
    output.write_text("")
    result = subprocess.run(
        [ROOT / "scripts/published-site", tmp_path / "site"],
        capture_output=True,
        text=True,
        timeout=60,
        env=fake_gh(
            tmp_path, GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(tmp_path / "summary.md"), **env
        ),
    )
    return result, dict(line.split("=", 1) for line in output.read_text().splitlines())


def artifacts(*entries: tuple[str, bool]) -> str:
    return json.dumps(
        {"total_count": len(entries), "artifacts": [{"name": n, "expired": e} for n, e in entries]}
    )


def test_the_link_check_skips_before_the_first_release(tmp_path):
    result, outputs = published_site(tmp_path, FAKE_RUNS="[]")
    assert result.returncode == 0, result.stderr
    assert outputs == {"found": "false"}
    assert "::notice::No release is published yet" in result.stdout
    assert "Link check skipped: No release is published yet" in (tmp_path / "summary.md").read_text()
    # nothing downloaded, nothing re-published
    assert [c["args"][:2] for c in gh_calls(tmp_path)] == [["run", "list"]]


def test_the_link_check_skips_once_the_site_artifact_expired(tmp_path):
    result, outputs = published_site(
        tmp_path,
        FAKE_RUNS='[{"databaseId": 7}]',
        FAKE_ARTIFACTS=artifacts(
            ("colab-notebooks", True), ("github-pages-1", True), ("github-pages-2", True)
        ),
    )
    assert result.returncode == 0, result.stderr
    assert outputs == {"found": "false"}
    assert "::notice::The site artifact of Publish run 7 has expired" in result.stdout
    assert "expired" in (tmp_path / "summary.md").read_text()
    assert [c["args"][:2] for c in gh_calls(tmp_path)] == [
        ["run", "list"],
        ["api", gh_calls(tmp_path)[1]["args"][1]],
    ]
    assert not (tmp_path / "site").exists()


def test_the_link_check_unpacks_the_last_attempts_site(tmp_path):
    for attempt, page in ((1, "first attempt"), (2, "the site")):
        folder = tmp_path / "artifacts" / f"github-pages-{attempt}"
        folder.mkdir(parents=True)
        (tmp_path / "page").mkdir(exist_ok=True)
        (tmp_path / "page" / "index.html").write_text(page)
        subprocess.run(["tar", "-cf", folder / "artifact.tar", "-C", tmp_path / "page", "."], check=True)
    env = {
        "FAKE_RUNS": '[{"databaseId": 7}]',
        "FAKE_ARTIFACTS": artifacts(("github-pages-2", False), ("github-pages-1", False)),
        "FAKE_ARTIFACT_DIR": str(tmp_path / "artifacts"),
    }
    result, outputs = published_site(tmp_path, **env)
    assert result.returncode == 0, result.stderr
    assert outputs == {"found": "true"} and (tmp_path / "site" / "index.html").read_text() == "the site"
    # a download that fails is a failure, not a skip
    failed, outputs = published_site(tmp_path, FAKE_FAIL="run-download", **env)
    assert failed.returncode != 0 and "HTTP 502" in failed.stderr and outputs == {}


def test_the_link_check_workflow_checks_only_a_site_it_found():
    import yaml

    steps = yaml.safe_load((ROOT / ".github/workflows/linkcheck.yml").read_text())["jobs"]["links"]["steps"]
    (fetch,) = [s for s in steps if "published-site" in s.get("run", "")]
    assert fetch["run"] == "scripts/published-site site" and fetch["id"] == "site"
    check = next(s for s in steps if "booktools links" in s.get("run", ""))
    assert check["if"] == "steps.site.outputs.found == 'true'"
    assert steps.index(fetch) < steps.index(check)
