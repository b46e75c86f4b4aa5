"""A release, simulated as far as it can be off GitHub: the publish workflow's own steps (the
release check, booktools.release.check; the earlier editions, scripts/previous-releases; the draft
and the published release, scripts/publish-release; the notebooks push,
scripts/publish-notebooks) run against a local stand-in for GitHub's API, the fake GitHub CLI of
tests/tools/release/test_assets.py and a bare repository standing in for github.com, with GitHub's rule for
`needs` deciding which jobs run after a failure and which a re-run of the failed jobs runs."""

import json
import os
import shutil
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from booktools import project
from booktools.release import check as release
from tests.tools.release.test_assets import fake_gh, site_archive, with_sums

ROOT = Path(__file__).resolve().parents[3]
PUBLISH = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text())
SETTINGS = project.read_settings(ROOT)
HELPER_REF = SETTINGS.helper_ref
SERVER, REPO = SETTINGS.repository_url.rsplit("/", 2)[0], "/".join(SETTINGS.repository_url.rsplit("/", 2)[1:])
SHA = "0123456789abcdef0123456789abcdef01234567"
PASSED = [{"event": "push", "status": "completed", "conclusion": "success"}]
#: GET /repos/{owner}/{repo}/pages of a site built by GitHub Actions (GitHub's REST docs: the
#: Page object's build_type is "legacy", "workflow" or null).
ACTIONS_SITE = {"url": "https://api.github.com/repos/o/r/pages", "status": "built", "build_type": "workflow"}
#: The github-pages environment as scripts/setup-pages leaves it: custom rules, one for tags v*.
PAGES_FOR_TAGS = {
    "environment": {
        "deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True}
    },
    "policies": [{"name": "main", "type": "branch"}, {"name": "v*", "type": "tag"}],
}


def github_api(runs_by_sha: dict[str, list[dict]], seen: list, pages: dict | None = PAGES_FOR_TAGS):
    """A stand-in for the parts of GitHub's REST API the release check asks: the CI runs of a
    commit, the Pages site (``pages["site"]``, built by Actions unless it says otherwise; None:
    Pages is off), the github-pages environment (``pages`` None: neither exists) and its rules."""
    base = f"/repos/{REPO}"
    site = None if pages is None else pages.get("site", ACTIONS_SITE)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlsplit(self.path)
            seen.append((url.path, dict(self.headers)))
            if url.path == f"{base}/actions/workflows/ci.yml/runs":
                answer = {"workflow_runs": runs_by_sha.get(parse_qs(url.query)["head_sha"][0], [])}
            elif url.path == f"{base}/pages" and site is not None:
                answer = site
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


#: Every job's status in a run whose build job failed: nothing after it runs.
BUILD_FAILED = {
    "build": "failure",
    "draft": "skipped",
    "pages": "skipped",
    "notebooks": "skipped",
    "verify": "skipped",
    "release": "skipped",
}


def step(job: str, name_start: str) -> dict:
    """The step of publish.yml's ``job`` whose name starts with ``name_start``."""
    steps = [s for s in PUBLISH["jobs"][job]["steps"] if s.get("name", "").startswith(name_start)]
    assert len(steps) == 1, f"{job}: no single step named {name_start!r}"
    return steps[0]


def run_step(job: str, name_start: str, workspace: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run the step's own `run` text with bash, as the runner does, in ``workspace``, with this
    interpreter as the job's ``python`` (setup-python's, with booktools installed by an earlier step)."""
    command = step(job, name_start)["run"]
    path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', os.environ['PATH'])}"
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", command],
        cwd=workspace,
        env={**os.environ, **env, "PATH": path},
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
    assert jobs_that_run({"build"}) == BUILD_FAILED
    # the draft release, with its archives, before anything is deployed
    assert jobs_that_run({"draft"}) == {
        "build": "success",
        "draft": "failure",
        "pages": "skipped",
        "notebooks": "skipped",
        "verify": "skipped",
        "release": "skipped",
    }
    assert jobs_that_run({"pages"}) == {
        "build": "success",
        "draft": "success",
        "pages": "failure",
        "notebooks": "skipped",
        "verify": "skipped",
        "release": "skipped",
    }
    assert jobs_that_run({"notebooks"})["verify"] == "skipped"
    # the release published only once the site and notebooks are verified
    assert jobs_that_run({"verify"})["release"] == "skipped"
    # the release check comes before anything is built or uploaded
    names = [s.get("name") or s["uses"] for s in PUBLISH["jobs"]["build"]["steps"]]
    check = names.index(step("build", "Refuse")["name"])
    assert check < names.index(step("build", "Build")["name"])
    assert all("upload" not in n for n in names[:check])


# --- booktools.release.check ---------------------------------------------------------------------


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
        (None, "GitHub Pages is not enabled"),
        ({**PAGES_FOR_TAGS, "site": None}, "GitHub Pages is not enabled"),  # an environment, no site
        ({**PAGES_FOR_TAGS, "site": {**ACTIONS_SITE, "build_type": "legacy"}}, "built from a branch"),
        ({**PAGES_FOR_TAGS, "site": {**ACTIONS_SITE, "build_type": None}}, "built from a branch"),
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
    if says in ("GitHub Pages is not enabled", "built from a branch"):  # and how to switch
        assert "Settings -> Pages -> Build and deployment -> Source: GitHub Actions" in problem
        assert f"gh api --method PUT repos/{REPO}/pages -f build_type=workflow" in problem


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
    for script in (ROOT / "scripts").iterdir():  # the steps' scripts (booktools is installed)
        if script.is_file():
            (root / "scripts" / script.name).write_bytes(script.read_bytes())
            (root / "scripts" / script.name).chmod(0o755)
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


@pytest.mark.slow  # a whole publish run, job by job, in subprocesses
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


@pytest.mark.slow  # a whole publish run, job by job, in subprocesses
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
@pytest.mark.slow  # a whole publish run, job by job, in subprocesses
def test_a_refused_release_publishes_nothing(serve, workspace, github, ref_type, ref_name, ci_runs, says):
    remote = github[0]
    before = git("--git-dir", str(remote), "rev-parse", "notebooks")
    status, output = publish(serve, workspace, github, ref_type, ref_name, ci_runs)
    assert status == BUILD_FAILED
    assert "Not publishing" in output and says in output
    assert git("--git-dir", str(remote), "rev-parse", "notebooks") == before


@pytest.mark.parametrize(
    ("pages", "says"),
    [
        (environment(CUSTOM, [{"name": "main", "type": "branch"}]), "no rule for tags"),  # GitHub's default
        ({**PAGES_FOR_TAGS, "site": {**ACTIONS_SITE, "build_type": "legacy"}}, "built from a branch"),
        ({**PAGES_FOR_TAGS, "site": None}, "GitHub Pages is not enabled"),
    ],
)
@pytest.mark.slow  # a whole publish run, job by job, in subprocesses
def test_a_release_that_pages_would_refuse_publishes_nothing(serve, workspace, github, pages, says):
    status, output = publish(serve, workspace, github, "tag", HELPER_REF, PASSED, pages=pages)
    assert status["build"] == "failure" and set(status.values()) == {"failure", "skipped"}
    assert "Not publishing" in output and says in output and "scripts/setup-pages" in output


# --- a release failing at each job, re-run, and the next release -------------------------------


class Publish:
    """One run of publish.yml for ``tag`` against the fake GitHub (its releases in
    tmp_path/assets, immutable once published), the bare repository of ``github`` and a stand-in
    for GitHub Pages (``pages``: the releases the live site holds). The build, draft, notebooks and
    release jobs run their steps verbatim; the archives are stand-ins (one page per edition).
    Each job's token sees drafts only where the job may write contents, as on GitHub.
    ``attempt(fail=job)`` runs the jobs GitHub would run, ``job`` failing; ``rerun_failed()``
    runs the failed and skipped jobs again, keeping the outputs of those that succeeded."""

    def __init__(self, tag: str, tmp_path: Path, workspace: Path, github, pages: dict):
        self.tag, self.tmp_path, self.workspace, self.pages = tag, tmp_path, workspace, pages
        self.remote, self.env = github
        self.status: dict[str, str] = {}
        self.outputs: dict[str, str] = {}
        self.site: set[str] = set()  # the site artifact: the releases it holds
        self.logs: dict[str, str] = {}

    def _step(self, job: str, name: str, fail: bool, **env: str) -> bool:
        writes = PUBLISH["jobs"][job]["permissions"].get("contents") == "write"
        environment = {
            **fake_gh(self.tmp_path, can_push=writes, FAKE_IMMUTABLE="1"),
            **self.env,
            "TAG": self.tag,
            "GITHUB_REF_NAME": self.tag,
            **env,
        }
        result = run_step(job, name, self.workspace, environment)
        self.logs[job] = result.stdout + result.stderr
        return result.returncode == 0

    def build(self, fail: bool) -> bool:
        release = self.workspace / "_build" / "release"
        for folder in ("previous", "release"):
            shutil.rmtree(self.workspace / "_build" / folder, ignore_errors=True)
        output = self.tmp_path / "github-output"
        output.write_text("")
        # the build fails by GitHub answering 502 to a download of an earlier release's archives
        failing = {"FAKE_FAIL_DOWNLOAD": "v0.1.0"} if fail else {}
        if not self._step("build", "Earlier releases", fail, GITHUB_OUTPUT=str(output), **failing):
            return False
        self.outputs["editions"] = output.read_text().removeprefix("editions=").strip()
        previous = self.workspace / "_build" / "previous"
        self.site = {self.tag} | {p.name.split("-")[2] for p in previous.glob("*-html.zip")}
        release.mkdir(parents=True)
        site_archive(release, f"first-network-{self.tag}-html", {"index.html": self.tag})
        site_archive(release, f"first-network-{self.tag}-student-html", {"index.html": self.tag})
        (release / f"first-network-{self.tag}-numbers.json").write_text(
            json.dumps({"version": self.tag, "chapters": {}})
        )
        with_sums(release)
        notebook = self.workspace / "_build" / "notebooks" / "book" / "tensors.ipynb"
        notebook.write_text(json.dumps({"cells": [self.tag]}))
        return True

    def draft(self, fail: bool) -> bool:
        # the draft job fails by GitHub answering 502 in the middle of the upload
        failing = {"FAKE_FAIL": "create"} if fail else {}
        return self._step("draft", "Create the draft", fail, EDITIONS=self.outputs["editions"], **failing)

    def deploy(self, fail: bool) -> bool:
        if not fail:
            self.pages.clear()
            self.pages.update(dict.fromkeys(self.site, self.tag))
        return not fail

    def notebooks(self, fail: bool) -> bool:
        if fail:
            return False
        return self._step(
            "notebooks",
            "Push",
            fail,
            SOURCE_REF=self.tag,
            NOTEBOOKS_BRANCH="notebooks",
            NOTEBOOKS_REF=f"notebooks-{self.tag}",
        )

    def verify(self, fail: bool) -> bool:
        return not fail and self.tag in self.pages

    def release(self, fail: bool) -> bool:
        # the last job fails by GitHub answering 502 to the publishing call
        return self._step("release", "Publish the draft", fail, **({"FAKE_FAIL": "edit"} if fail else {}))

    def attempt(self, fail: str | None = None, again: bool = False) -> dict[str, str]:
        jobs = {"build": self.build, "draft": self.draft, "pages": self.deploy}
        jobs |= {"notebooks": self.notebooks, "verify": self.verify, "release": self.release}
        assert set(jobs) == set(PUBLISH["jobs"]), "a job of publish.yml the simulation does not know"
        previous, self.status = self.status, {}
        while len(self.status) < len(jobs):
            for name, job in PUBLISH["jobs"].items():
                needs = job.get("needs", [])
                needs = [needs] if isinstance(needs, str) else needs
                if name in self.status or not all(n in self.status for n in needs):
                    continue
                if again and previous.get(name) == "success":
                    self.status[name] = "success"  # a re-run of the failed jobs keeps this one
                elif all(self.status[n] == "success" for n in needs):
                    self.status[name] = "success" if jobs[name](fail == name) else "failure"
                else:
                    self.status[name] = "skipped"
        return self.status

    def rerun_failed(self) -> dict[str, str]:
        return self.attempt(again=True)


def published(tmp_path, tag) -> bool:
    """The release exists, is no draft, and holds its site archives and SHA256SUMS."""
    folder = tmp_path / "assets" / tag
    names = {p.name for p in folder.iterdir()} if folder.is_dir() else set()
    complete = {f"first-network-{tag}-html.zip", f"first-network-{tag}-student-html.zip", "SHA256SUMS"}
    return complete <= names and not (tmp_path / "assets" / f"{tag}.draft").exists()


@pytest.fixture
def releases(tmp_path, workspace, github):
    """``release(tag)``: a Publish run of ``tag`` sharing one fake GitHub, repository and site;
    v0.1.0 is published already, whole."""
    pages: dict[str, str] = {}

    def release(tag):
        return Publish(tag, tmp_path, workspace, github, pages)

    first = release("v0.1.0")
    assert set(first.attempt().values()) == {"success"}, first.logs
    assert published(tmp_path, "v0.1.0") and set(pages) == {"v0.1.0"}
    return release, pages


@pytest.mark.slow  # a whole publish run, job by job, in subprocesses
@pytest.mark.parametrize("job", list(PUBLISH["jobs"]))
def test_a_failed_publish_job_leaves_a_state_that_a_rerun_completes(tmp_path, releases, github, job):
    release, pages = releases
    run = release("v0.2.0")
    status = run.attempt(fail=job)
    assert status[job] == "failure"
    order = list(PUBLISH["jobs"])
    assert all(status[later] == "skipped" for later in order[order.index(job) + 1 :])
    assert not published(tmp_path, "v0.2.0")  # never published before everything else is live
    if job in ("build", "draft", "pages"):
        assert set(pages) == {"v0.1.0"} and on_branch(github[0]) != '{"cells": ["v0.2.0"]}'
    if job == "build":
        says = "::error::Could not download and check the site archives of the release v0.1.0"
        assert says in run.logs["build"]
        assert not (tmp_path / "assets" / "v0.2.0").exists()  # nothing was published
    assert set(run.rerun_failed().values()) == {"success"}, run.logs
    assert published(tmp_path, "v0.2.0") and set(pages) == {"v0.1.0", "v0.2.0"}
    assert on_branch(github[0]) == '{"cells": ["v0.2.0"]}'
    # the next release keeps every edition
    following = release("v0.3.0")
    assert set(following.attempt().values()) == {"success"}, following.logs
    assert set(pages) == {"v0.1.0", "v0.2.0", "v0.3.0"} and published(tmp_path, "v0.3.0")


@pytest.mark.slow  # a whole publish run, job by job, in subprocesses
def test_the_next_release_waits_for_a_half_published_one(tmp_path, releases):
    """v0.2.0's run stops after its site went live and before its release was published; v0.3.0
    is tagged before anyone re-runs it. v0.3.0's build cannot see the draft (a contents: read
    token), so its site lacks v0.2.0: the draft job refuses it, until v0.2.0 is complete and
    v0.3.0 is built again."""
    release, pages = releases
    half = release("v0.2.0")
    half.attempt(fail="verify")
    assert set(pages) == {"v0.1.0", "v0.2.0"} and not published(tmp_path, "v0.2.0")
    following = release("v0.3.0")
    status = following.attempt()
    assert status["draft"] == "failure" and status["pages"] == "skipped"
    assert (
        "v0.2.0 is still a draft: re-run the failed jobs of its publish run first" in following.logs["draft"]
    )
    assert set(pages) == {"v0.1.0", "v0.2.0"}  # v0.2.0 stays on the site
    assert set(half.rerun_failed().values()) == {"success"} and published(tmp_path, "v0.2.0")
    # re-running only v0.3.0's failed jobs would deploy the site its build made without v0.2.0
    status = following.rerun_failed()
    assert status["draft"] == "failure" and "leaves out v0.2.0" in following.logs["draft"]
    assert set(pages) == {"v0.1.0", "v0.2.0"}
    assert set(following.attempt().values()) == {"success"}  # re-run all jobs
    assert set(pages) == {"v0.1.0", "v0.2.0", "v0.3.0"} and published(tmp_path, "v0.3.0")
