"""The GitHub workflows: every script they call exists and is exercised by .ci/run, and the
scripts behave (publishing to a branch, refusing a CPU in the GPU job, checking links)."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from booktools.checks import colab_versions

ROOT = Path(__file__).resolve().parents[1]

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
SCRIPT = re.compile(r"(?<![\w/.-])(scripts/[\w./-]+|\.ci/run)")
MAKE = re.compile(r"\bmake\s+([\w-]+)")


def run_lines(workflow: Path) -> list[str]:
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    return [step["run"] for job in jobs.values() for step in job.get("steps", []) if "run" in step]


def make_targets() -> dict[str, tuple[list[str], str]]:
    """target -> (prerequisites, recipe text), from the Makefile."""
    targets, current = {}, None
    for line in (ROOT / "Makefile").read_text().splitlines():
        if line.startswith("\t") and current:
            targets[current][1].append(line)
        elif match := re.match(r"^([\w./%$()-]+):(?!=)\s*(.*)$", line):
            current = match.group(1)  # a target named twice (a conditional prerequisite) adds up
            targets.setdefault(current, ([], []))[0].extend(match.group(2).split())
        else:
            current = None if not line.startswith("\t") else current
    return {t: (p, "\n".join(r)) for t, (p, r) in targets.items()}


def exercised_by_ci() -> set[str]:
    """Every script and make target reachable from .ci/run, following scripts, make targets and
    the tests that `make test` runs."""
    targets = make_targets()
    seen, todo = set(), [".ci/run"]
    while todo:
        item = todo.pop()
        if item in seen:
            continue
        seen.add(item)
        if item.startswith("make:"):
            target = item[5:]
            prerequisites, recipe = targets.get(target, ([], ""))
            text = recipe
            todo += [f"make:{p}" for p in prerequisites if p in targets]
            todo += [
                f"make:{t}"
                for t in targets
                if "%" in t and any(re.fullmatch(t.replace("%", ".+"), p) for p in prerequisites)
            ]
            if target == "test":
                text += "".join(p.read_text() for p in (ROOT / "tests").rglob("test_*.py"))
        else:
            path = ROOT / item
            text = path.read_text() if path.is_file() else ""
        todo += SCRIPT.findall(text) + [f"make:{t}" for t in MAKE.findall(text)]
    return seen


def test_workflows_call_scripts_that_exist_and_that_ci_exercises():
    exercised = exercised_by_ci()
    called = set()
    for workflow in WORKFLOWS:
        for line in run_lines(workflow):
            called |= set(SCRIPT.findall(line)) | {f"make:{t}" for t in MAKE.findall(line)}
    assert called, "the workflows call no scripts"
    for item in sorted(called):
        if not item.startswith("make:"):
            assert (ROOT / item).is_file(), f"{item} is called by a workflow but does not exist"
            if not item.endswith(".py"):  # a .py script is run with python; the others directly
                assert os.access(ROOT / item, os.X_OK), f"{item} is not executable"
        assert item in exercised, f"{item} is called by a workflow but never run by .ci/run"


def test_the_booktools_commands_the_workflows_and_scripts_call_exist():
    from booktools.cli import COMMANDS

    texts = [line for workflow in WORKFLOWS for line in run_lines(workflow)]
    texts += [p.read_text() for p in (ROOT / "scripts").iterdir() if p.is_file()]
    texts.append((ROOT / "Makefile").read_text())
    code = [re.sub(r"(^|\s)#.*", "", line) for text in texts for line in text.splitlines()]  # no comments
    called = {m for line in code for m in re.findall(r"(?<![\w-])booktools (\w[\w-]*)", line)}
    assert {"colab", "run-notebooks", "links", "release-check", "assets", "pdf"} <= called, called
    assert called <= set(COMMANDS), f"not booktools commands: {sorted(called - set(COMMANDS))}"


def test_every_action_is_pinned_to_a_full_commit_sha():
    for workflow in WORKFLOWS:
        for line in workflow.read_text().splitlines():
            if match := re.search(r"uses:\s*(\S+)", line):
                assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", match.group(1)), line
                assert re.search(r"# v\d", line), f"{line}: say which version the SHA is"


#: The first release of each action that runs on Node 24 (GitHub removed Node 20 on 2026-09-16).
FIRST_NODE24_MAJOR = {
    "actions/checkout": 5,
    "actions/setup-python": 6,
    "actions/upload-artifact": 6,
    "actions/download-artifact": 7,
    "actions/upload-pages-artifact": 5,
    "actions/deploy-pages": 5,
    "actions/cache": 5,
}


def test_every_action_is_a_node24_release():
    for workflow in WORKFLOWS:
        for match in re.finditer(r"uses:\s*([\w.-]+/[\w.-]+)@[0-9a-f]{40} # v(\d+)", workflow.read_text()):
            action, major = match.group(1), int(match.group(2))
            assert action in FIRST_NODE24_MAJOR, f"{workflow.name}: {action}: add its first Node 24 major"
            assert major >= FIRST_NODE24_MAJOR[action], f"{workflow.name}: {action} v{major} runs on Node 20"


def test_dependabot_keeps_actions_and_packages_current():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    for update in ecosystems.values():
        assert update["schedule"]["interval"] == "weekly" and update["groups"]


def test_dependabot_leaves_colabs_pins_to_the_colab_drift_job():
    """Dependabot's pip updater reads every requirements file in its directory: all of them but
    requirements-colab.txt, whose versions follow Colab (the weekly drift job), not PyPI."""
    import fnmatch

    pip = next(u for u in yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())["updates"]
               if u["package-ecosystem"] == "pip")  # fmt: skip
    excluded = pip.get("exclude-paths", [])
    files = sorted(p.name for p in (ROOT / pip["directory"].lstrip("/")).glob("requirements*.txt"))
    assert "requirements-colab.txt" in files
    left_to_dependabot = [f for f in files if not any(fnmatch.fnmatch(f, pattern) for pattern in excluded)]
    assert left_to_dependabot == [f for f in files if f != "requirements-colab.txt"]
    assert "requirements-colab.txt" in (ROOT / ".github/workflows/colab.yml").read_text()


def test_least_privilege_and_no_pull_request_target():
    for workflow in WORKFLOWS:
        spec = yaml.safe_load(workflow.read_text())
        triggers = spec.get(True, spec.get("on"))  # YAML reads the key `on` as True
        assert "pull_request_target" not in triggers
        assert spec["permissions"] == {}, f"{workflow.name}: workflow-level permissions must be empty"
        for name, job in spec["jobs"].items():
            assert "permissions" in job, f"{workflow.name}: job {name} has no permissions"
            writes = {k for k, v in job["permissions"].items() if v == "write"}
            if writes:
                assert workflow.name == "publish.yml", f"{workflow.name}:{name} may not write"


def make_goals(command: str) -> list[list[str]]:
    """The goals of each `make` a step's shell text runs (options and VAR=value left out)."""
    return [
        [word for word in match.group(1).split() if not word.startswith("-") and "=" not in word]
        for match in re.finditer(r"(?<![\w/.-])make((?:[ \t]+[^\s;&|]+)*)", command)
    ]


def prints_the_pdf(goal: str, targets: dict[str, tuple[list[str], str]]) -> bool:
    """Whether making ``goal`` makes the PDF: it is `pdf` or needs it, however indirectly."""
    seen, todo = set(), [goal]
    while todo:
        target = todo.pop()
        if target == "pdf":
            return True
        if target not in seen:
            seen.add(target)
            todo += [p for p in targets.get(target, ([], ""))[0] if p in targets]
    return False


def pdf_steps_without_a_browser(spec: dict, targets: dict) -> list[str]:
    """Every step of a workflow that makes the PDF with no step running scripts/install-browser
    before it in the same job (Chromium prints the PDF: booktools.release.pdf)."""
    missing = []
    for name, job in spec["jobs"].items():
        browser = False
        for number, step in enumerate(job.get("steps", []), start=1):
            command = step.get("run", "")
            if re.search(r"(?<![\w.-])scripts/install-browser\b", command):
                browser = True
            goals = [goal for goals in make_goals(command) for goal in goals]
            if not browser and any(prints_the_pdf(goal, targets) for goal in goals):
                missing.append(f"{name}: step {number} ({step.get('name', command)})")
    return missing


def test_every_job_that_prints_the_pdf_installs_the_browser_first():
    targets = make_targets()
    assert prints_the_pdf("test", targets) and not prints_the_pdf("book", targets)
    fake = {
        "jobs": {
            "late": {"steps": [{"run": "make student pdf"}, {"run": "scripts/install-browser"}]},
            "none": {"steps": [{"run": "make -j2 test"}]},
            "ok": {"steps": [{"run": "scripts/install-browser"}, {"run": "make book\nmake pdf"}]},
            "other": {"steps": [{"run": "make book"}, {"run": "echo make-pdf"}]},
        }
    }
    assert pdf_steps_without_a_browser(fake, targets) == [
        "late: step 1 (make student pdf)",
        "none: step 1 (make -j2 test)",
    ]
    printing = [
        w.name
        for w in WORKFLOWS
        if any(prints_the_pdf(g, targets) for line in run_lines(w) for gs in make_goals(line) for g in gs)
    ]
    assert "ci.yml" in printing, printing
    missing = {w.name: pdf_steps_without_a_browser(yaml.safe_load(w.read_text()), targets) for w in WORKFLOWS}
    assert not any(missing.values()), {name: steps for name, steps in missing.items() if steps}


def requirement_pins(name: str) -> dict[str, str]:
    """package -> pinned version, from a requirements file (extras and markers dropped)."""
    return colab_versions.pins((ROOT / name).read_text())


def test_gpu_pins_match_the_cpu_pins():
    runtime = requirement_pins("requirements-runtime.txt")
    tensorflow = runtime.pop("tensorflow-cpu")
    assert runtime.pop("tensorflow") == tensorflow  # the two platform markers, one version
    gpu_tf, gpu_jax = (
        requirement_pins("requirements-gpu-tensorflow.txt"),
        requirement_pins("requirements-gpu-jax.txt"),
    )
    assert gpu_tf["tensorflow"] == tensorflow and "tensorflow-cpu" not in gpu_tf
    assert "and-cuda" in (ROOT / "requirements-gpu-tensorflow.txt").read_text()
    assert not {"tensorflow", "tensorflow-cpu"} & set(gpu_jax)
    assert gpu_jax["jax"] == requirement_pins("requirements-backends.txt")["jax"]
    for package, version in runtime.items():
        assert gpu_tf.get(package) == version == gpu_jax.get(package), package


# --- the scripts themselves -------------------------------------------------------------------


def test_publish_notebooks_replaces_the_branch_and_tags_each_release(tmp_path):
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote)], check=True)
    notebooks = tmp_path / "nb" / "book"
    notebooks.mkdir(parents=True)
    for round_, name in enumerate(["a", "b"]):
        for old in notebooks.glob("*.ipynb"):
            old.unlink()
        (notebooks / f"{name}.ipynb").write_text("{}")
        env = dict(os.environ, SOURCE_REF=f"v0.{round_}")
        subprocess.run(
            [
                ROOT / "scripts/publish-notebooks",
                tmp_path / "nb",
                remote,
                "notebooks",
                f"notebooks-v0.{round_}",
            ],
            check=True,
            env=env,
            capture_output=True,
        )
    files = subprocess.run(
        ["git", "--git-dir", remote, "ls-tree", "-r", "--name-only", "notebooks"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert files == ["README.md", "book/b.ipynb"]  # replaced, not merged
    log = subprocess.run(
        ["git", "--git-dir", remote, "log", "--format=%s", "notebooks"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert log == ["Colab notebooks from v0.1"]

    def tree(ref: str) -> list[str]:
        return subprocess.run(
            ["git", "--git-dir", remote, "ls-tree", "-r", "--name-only", ref],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()

    # each release's tag keeps its own notebooks: the later release did not move the earlier tag
    assert tree("notebooks-v0.0") == ["README.md", "book/a.ipynb"]
    assert tree("notebooks-v0.1") == ["README.md", "book/b.ipynb"]


def test_publish_notebooks_refuses_an_empty_folder(tmp_path):
    result = subprocess.run(
        [ROOT / "scripts/publish-notebooks", tmp_path, tmp_path / "r.git", "nb"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "No notebooks" in result.stderr


@pytest.mark.backends
def test_gpu_job_refuses_to_run_on_a_cpu(tmp_path):
    """The GPU workflow's step, on this CPU-only machine: it must stop before running anything."""
    env = dict(os.environ, PYTHON=sys.executable)
    result = subprocess.run(
        [ROOT / "scripts/run-chapters", "jax", "--require-gpu", "--name", "gpu-check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert "No GPU visible to the jax backend" in result.stderr
    assert not (ROOT / "_build/runs/gpu-check/run.json").exists()


def test_prune_cache_drops_only_what_nobody_reused_for_30_days(tmp_path):
    old, fresh = tmp_path / "runs" / "old", tmp_path / "jupyter-cache" / "fresh"
    for entry in (old, fresh):
        entry.mkdir(parents=True)
        (entry / "run.json").write_text("{}")
    stale = time.time() - 31 * 24 * 3600
    os.utime(old, (stale, stale))
    env = dict(os.environ, DLBOOK_CACHE=str(tmp_path))
    subprocess.run([ROOT / "scripts/prune-cache"], check=True, env=env)
    assert not old.exists() and (fresh / "run.json").exists()
    assert (tmp_path / "runs").is_dir()  # the folders themselves stay


def test_gpu_legs_run_the_notebooks_of_a_book_build():
    """The GPU legs execute the readers' notebooks, which only a book build makes (their prose
    carries the book's numbers): a CPU job builds them and the legs download them first."""
    jobs = yaml.safe_load((ROOT / ".github/workflows/gpu.yml").read_text())["jobs"]
    build, legs = jobs["notebooks"], jobs["chapters-on-gpu"]
    assert any(step.get("run") == "make book" for step in build["steps"])
    (upload,) = [s for s in build["steps"] if "upload-artifact" in s.get("uses", "")]
    assert legs["needs"] == "notebooks" and legs["strategy"]["matrix"]["backend"] == ["tensorflow", "jax"]
    (download,) = [s for s in legs["steps"] if "download-artifact" in s.get("uses", "")]
    assert download["with"]["name"] == upload["with"]["name"]
    assert download["with"]["path"].rstrip("/") == upload["with"]["path"].rstrip("/") == "_build/notebooks"
    names = [s.get("name", s.get("uses")) for s in legs["steps"]]
    assert names.index(download["uses"]) < names.index("Execute every chapter on the GPU")


def test_every_workflow_takes_python_from_one_file():
    """The Python version is typed once: .python-version (the build) and
    .github/colab-python-version (Colab's), read by actions/setup-python's python-version-file."""
    assert re.fullmatch(r"3\.\d+\n", (ROOT / ".python-version").read_text())
    for workflow in WORKFLOWS:
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            for step in job.get("steps", []):
                if step.get("uses", "").startswith("actions/setup-python@"):
                    given = step.get("with", {})
                    assert "python-version" not in given, f"{workflow.name}: a typed Python version"
                    assert given["python-version-file"] in (".python-version", ".github/colab-python-version")
