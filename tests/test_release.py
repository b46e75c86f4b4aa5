"""A release, simulated as far as it can be off GitHub: the publish workflow's own steps (the
release check, scripts/release.py, and the notebooks push, scripts/publish-notebooks) run
against a local stand-in for GitHub's API and a bare repository standing in for github.com, with
GitHub's rule for `needs` deciding which jobs run after a failure."""

import json
import os
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import colab
import pytest
import release
import yaml

ROOT = Path(__file__).resolve().parents[1]
PUBLISH = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())
SETTINGS = colab.read_settings(ROOT)
HELPER_REF = SETTINGS.helper_ref
SERVER, REPO = SETTINGS.repository_url.rsplit("/", 2)[0], "/".join(SETTINGS.repository_url.rsplit("/", 2)[1:])
SHA = "0123456789abcdef0123456789abcdef01234567"
PASSED = [{"event": "push", "status": "completed", "conclusion": "success"}]
#: The github-pages environment as scripts/setup-pages leaves it: custom rules, one for tags v*.
PAGES_FOR_TAGS = {
    "environment": {
        "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True}
    },
    "policies": [{"name": "main", "type": "branch"}, {"name": "v*", "type": "tag"}],
}


def github_api(runs_by_sha: dict[str, list[dict]], seen: list, pages: dict | None = PAGES_FOR_TAGS):
    """A stand-in for the parts of GitHub's REST API the release check asks: the CI runs of a
    commit, the github-pages environment (``pages`` None: there is none) and its rules."""
    base = f"/repos/{REPO}"

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlsplit(self.path)
            seen.append((url.path, dict(self.headers)))
            if url.path == f"{base}/actions/workflows/ci.yml/runs":
                answer = {"workflow_runs": runs_by_sha.get(parse_qs(url.query)["head_sha"][0], [])}
            elif url.path == f"{base}/environments/github-pages" and pages is not None:
                answer = pages["environment"]
            elif url.path == f"{base}/environments/github-pages/deployment-branch-policies" and pages:
                answer = {"branch_policies": pages["policies"]}
            else:
                self.send_error(404)
                return
            body = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    return Handler


def step(job: str, name_start: str) -> dict:
    """The step of publish.yml's ``job`` whose name starts with ``name_start``."""
    steps = [s for s in PUBLISH["jobs"][job]["steps"] if s.get("name", "").startswith(name_start)]
    assert len(steps) == 1, f"{job}: no single step named {name_start!r}"
    return steps[0]


def run_step(job: str, name_start: str, workspace: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the step's own `run` text with bash, as the runner does, in ``workspace``."""
    command = step(job, name_start)["run"]
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", command],
        cwd=workspace,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )


def jobs_that_run(failed: set[str]) -> dict[str, str]:
    """GitHub's rule: a job runs when every job it needs succeeded (no job in publish.yml may
    override it with always(), failure() or cancelled()). Returns job -> success/failure/skipped."""
    status: dict[str, str] = {}
    jobs = PUBLISH["jobs"]
    while len(status) < len(jobs):
        for name, job in jobs.items():
            needs = job.get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            if name in status or not all(n in status for n in needs):
                continue
            runs = all(status[n] == "success" for n in needs)
            status[name] = ("failure" if name in failed else "success") if runs else "skipped"
    return status


def test_no_job_or_step_of_the_publish_workflow_runs_after_a_failure():
    text = (ROOT / ".github/workflows/publish.yml").read_text()
    for function in ("always()", "failure()", "cancelled()", "continue-on-error"):
        assert function not in text


def test_job_order_deploy_before_notebooks_before_verification():
    assert jobs_that_run(set()) == dict.fromkeys(PUBLISH["jobs"], "success")
    assert jobs_that_run({"build"}) == {
        "build": "failure",
        "pages": "skipped",
        "notebooks": "skipped",
        "verify": "skipped",
        "release": "skipped",
    }
    assert jobs_that_run({"pages"}) == {
        "build": "success",
        "pages": "failure",
        "notebooks": "skipped",
        "verify": "skipped",
        "release": "skipped",
    }
    assert jobs_that_run({"notebooks"})["verify"] == "skipped"
    # the GitHub release, with its archives, only once the site and notebooks are verified
    assert jobs_that_run({"verify"})["release"] == "skipped"
    # the release check comes before anything is built or uploaded
    names = [s.get("name") or s["uses"] for s in PUBLISH["jobs"]["build"]["steps"]]
    check = names.index(step("build", "Refuse")["name"])
    assert check < names.index(step("build", "Build")["name"])
    assert all("upload" not in n for n in names[:check])


# --- scripts/release.py ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref_type", "ref_name", "expected"),
    [
        ("tag", HELPER_REF, None),
        ("branch", "main", "Only a tag v* publishes"),
        ("branch", HELPER_REF, "Only a tag v* publishes"),  # a branch named like the release
        ("tag", "nightly", "Only a tag v* publishes"),
        ("tag", HELPER_REF + ".1", "is not the release the Colab notebooks install"),
        ("", "", "Only a tag v* publishes"),
    ],
)
def test_only_the_release_tag_may_publish(ref_type, ref_name, expected):
    problem = release.ref_problem(ref_type, ref_name, HELPER_REF)
    assert problem is None if expected is None else expected in problem


def run(event, conclusion, status="completed"):
    return {"event": event, "status": status, "conclusion": conclusion}


@pytest.mark.parametrize(
    ("runs", "passes"),
    [
        ([run("push", "success")], True),
        ([run("workflow_dispatch", "success")], True),
        ([run("push", "failure"), run("workflow_dispatch", "success")], True),
        ([run("push", "failure")], False),
        ([run("push", None, "in_progress")], False),
        ([run("pull_request", "success")], False),  # tested a merge commit, not this one
        ([], False),
    ],
)
def test_ci_must_have_passed_on_the_commit_itself(serve, runs, passes):
    seen = []
    with serve(github_api({SHA: runs}, seen)) as api:
        problem = release.ci_problem(api, REPO, SHA, "t0ken")
    assert (problem is None) is passes, problem
    assert seen[0][1]["Authorization"] == "Bearer t0ken"
    if not passes:
        assert SHA in problem and "Use workflow from" in problem


def test_an_unreachable_api_refuses(serve):
    with serve(github_api({}, [])) as api:
        pass  # the server is closed again: nothing listens there any more
    problem = release.ci_problem(api, REPO, SHA, None)
    assert problem.startswith("Could not ask GitHub")


def environment(policy, rules=()):
    return {"environment": {"deployment_branch_policy": policy}, "policies": list(rules)}


CUSTOM = {"protected_branches": False, "custom_branch_policies": True}


@pytest.mark.parametrize(
    ("pages", "says"),
    [
        (PAGES_FOR_TAGS, None),
        (environment(None), None),  # no rule at all: every branch and tag may deploy
        (environment(CUSTOM, [{"name": "v[0-9]*", "type": "tag"}]), None),
        (None, "no github-pages environment"),
        (
            environment({"protected_branches": True, "custom_branch_policies": False}),
            "only protected branches",
        ),
        (environment(CUSTOM, [{"name": "main", "type": "branch"}]), "no rule for tags"),
        (environment(CUSTOM, [{"name": "v*", "type": "branch"}]), "no rule for tags"),  # a branch rule
        (environment(CUSTOM, [{"name": "release-*", "type": "tag"}]), "no rule for tags"),
    ],
)
def test_pages_must_accept_the_tag_before_anything_is_built(serve, pages, says):
    with serve(github_api({}, [], pages)) as api:
        problem = release.pages_problem(api, REPO, HELPER_REF, None)
    if says is None:
        assert problem is None
    else:
        assert says in problem and "scripts/setup-pages" in problem


def test_the_repository_must_be_the_one_config_names():
    assert release.repository_problem(SETTINGS.repository_url, SERVER, REPO) is None
    assert release.repository_problem(SETTINGS.repository_url + "/", SERVER, REPO.upper()) is None
    problem = release.repository_problem(SETTINGS.repository_url, SERVER, "someone/fork")
    assert "someone/fork" in problem and "repository.url" in problem


# --- the release, end to end ------------------------------------------------------------------


def git(*args: str, cwd=None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def workspace(tmp_path):
    """The runner's checkout, as far as the release check and the notebooks push need it: the
    scripts they run, _config.yml, this test's virtual environment as .venv, and the build job's
    notebooks where the notebooks job downloads them (_build/notebooks)."""
    root = tmp_path / "workspace"
    (root / "scripts").mkdir(parents=True)
    for name in ("publish-notebooks", "release.py", "colab.py"):
        (root / "scripts" / name).write_bytes((ROOT / "scripts" / name).read_bytes())
        (root / "scripts" / name).chmod(0o755)
    (root / "_config.yml").write_bytes((ROOT / "_config.yml").read_bytes())
    (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    (root / "_build" / "notebooks" / "book").mkdir(parents=True)
    (root / "_build" / "notebooks" / "book" / "tensors.ipynb").write_text('{"cells": ["this release"]}')
    return root


@pytest.fixture
def github(tmp_path):
    """A bare repository standing in for the book's repository on GitHub (through git's insteadOf,
    so the workflow's own URL is used), whose notebooks branch holds the last release's notebooks;
    and the environment GitHub Actions would set."""
    remote = tmp_path / "book.git"
    git("init", "--quiet", "--bare", str(remote))
    old = tmp_path / "old"
    (old / "book").mkdir(parents=True)
    (old / "book" / "tensors.ipynb").write_text('{"cells": ["last release"]}')
    git("init", "--quiet", "--initial-branch=notebooks", cwd=old)
    git("add", ".", cwd=old)
    git(
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "--quiet",
        "-m",
        "Colab notebooks from v0",
        cwd=old,
    )
    git("push", "--quiet", str(remote), "notebooks", cwd=old)
    env = {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{remote.as_uri()}.insteadOf",
        "GIT_CONFIG_VALUE_0": f"{SERVER}/{REPO}.git",
        "GITHUB_REPOSITORY": REPO,
        "GITHUB_SERVER_URL": SERVER,
        "GITHUB_SHA": SHA,
        "GH_TOKEN": "t0ken",
        "DLBOOK_HELPER_COMMIT": SHA,
    }
    return remote, env


def publish(serve, workspace, github, ref_type, ref_name, ci_runs, deploy_fails=False, pages=PAGES_FOR_TAGS):
    """One run of publish.yml, job by job: the release check (its step, verbatim, against a
    stand-in API), the build (its notebooks are the workspace's), the deploy (which succeeds or
    fails), then, if GitHub would run it, the notebooks push (its step, verbatim). Returns the
    jobs' statuses and the output of the check."""
    remote, env = github
    env = {**env, "GITHUB_REF_TYPE": ref_type, "GITHUB_REF_NAME": ref_name}
    failed = {"pages"} if deploy_fails else set()
    with serve(github_api({SHA: ci_runs}, [], pages)) as api:
        check = run_step("build", "Refuse", workspace, {**env, "GITHUB_API_URL": api})
    if check.returncode != 0:
        failed.add("build")
    status = jobs_that_run(failed)
    if status["notebooks"] != "skipped":
        branch = run_step(
            "build", "Read the notebooks branch", workspace, {**env, "GITHUB_OUTPUT": "/dev/null"}
        )
        assert branch.returncode == 0, branch.stderr
        pushed = run_step(
            "notebooks",
            "Push",
            workspace,
            {
                **env,
                "SOURCE_REF": ref_name,
                "NOTEBOOKS_BRANCH": "notebooks",
                "NOTEBOOKS_REF": SETTINGS.notebooks_ref,
            },
        )
        assert pushed.returncode == 0, pushed.stderr
    return status, check.stdout + check.stderr


def on_branch(remote: Path) -> str:
    return git("--git-dir", str(remote), "show", "notebooks:book/tensors.ipynb")


def test_a_release_tag_that_passed_ci_publishes(serve, workspace, github):
    status, output = publish(serve, workspace, github, "tag", HELPER_REF, PASSED)
    assert set(status.values()) == {"success"}, output
    remote = github[0]
    assert on_branch(remote) == '{"cells": ["this release"]}'
    # the release's Colab buttons open its tag, which holds the same notebooks
    tagged = git("--git-dir", str(remote), "show", f"{SETTINGS.notebooks_ref}:book/tensors.ipynb")
    assert tagged == '{"cells": ["this release"]}'
    assert SETTINGS.colab_url("book/tensors").split("/blob/")[1].startswith(SETTINGS.notebooks_ref + "/")
    assert (
        git("--git-dir", str(remote), "log", "-1", "--format=%s", "notebooks")
        == f"Colab notebooks from {HELPER_REF}"
    )


def test_a_failed_deploy_leaves_the_notebooks_branch_untouched(serve, workspace, github):
    remote = github[0]
    before = git("--git-dir", str(remote), "rev-parse", "notebooks")
    status, _ = publish(serve, workspace, github, "tag", HELPER_REF, PASSED, deploy_fails=True)
    assert status["notebooks"] == "skipped" and status["verify"] == "skipped"
    assert git("--git-dir", str(remote), "rev-parse", "notebooks") == before
    assert on_branch(remote) == '{"cells": ["last release"]}'


@pytest.mark.parametrize(
    ("ref_type", "ref_name", "ci_runs", "says"),
    [
        ("branch", "main", PASSED, "Only a tag v* publishes"),  # a manual run from a branch
        ("tag", HELPER_REF + ".1", PASSED, "is not the release"),
        ("tag", HELPER_REF, [run("push", "failure")], "CI (ci.yml) has not passed"),
        ("tag", HELPER_REF, [], "runs for a push or by hand: none"),
    ],
)
def test_a_refused_release_publishes_nothing(serve, workspace, github, ref_type, ref_name, ci_runs, says):
    remote = github[0]
    before = git("--git-dir", str(remote), "rev-parse", "notebooks")
    status, output = publish(serve, workspace, github, ref_type, ref_name, ci_runs)
    assert status == {
        "build": "failure",
        "pages": "skipped",
        "notebooks": "skipped",
        "verify": "skipped",
        "release": "skipped",
    }
    assert "Not publishing" in output and says in output
    assert git("--git-dir", str(remote), "rev-parse", "notebooks") == before


def test_a_release_that_pages_would_refuse_publishes_nothing(serve, workspace, github):
    pages = environment(CUSTOM, [{"name": "main", "type": "branch"}])  # GitHub's default: no tags
    status, output = publish(serve, workspace, github, "tag", HELPER_REF, PASSED, pages=pages)
    assert status["build"] == "failure" and "scripts/setup-pages" in output
