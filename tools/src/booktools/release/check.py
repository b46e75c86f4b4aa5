"""What a release must be before it publishes anything (.github/workflows/publish.yml).

    booktools release-check check

passes only when all of these hold, and otherwise says which failed and what to do:

- the run is for a tag ``v*`` (a push of the tag, or a manual run started from the tag): a
  manual run from a branch refuses, since only a tag publishes a release;
- the tag is the release the Colab notebooks install (``colab.helper_ref`` in _config.yml);
- this repository is the one _config.yml names (``repository.url``): the Colab buttons and the
  notebooks' install line point there;
- the CI workflow (.github/workflows/ci.yml) passed on the tagged commit itself (a run for a push
  or started by hand; a pull request's run tests a merge commit), as GitHub's API says;
- GitHub Pages is on and built by GitHub Actions (``build_type`` "workflow" in
  GET /repos/{owner}/{repo}/pages), not from a branch, and the ``github-pages`` environment lets
  this tag deploy (scripts/setup-pages sets up both), so a release is not refused by GitHub only
  after the book has been built.

It reads what GitHub Actions sets: GITHUB_REF_TYPE, GITHUB_REF_NAME, GITHUB_SHA,
GITHUB_REPOSITORY, GITHUB_SERVER_URL, GITHUB_API_URL, and the token in GH_TOKEN (or GITHUB_TOKEN).
"""

from __future__ import annotations

import fnmatch
import json
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import urlencode

from booktools import project

CI_WORKFLOW = "ci.yml"
#: The events whose CI runs test the commit itself (a pull request's run tests a merge commit).
CI_EVENTS = ("push", "workflow_dispatch")
RUN_CI = (
    "run CI on it (Actions -> CI -> Run workflow, choosing the tag under 'Use workflow from') and "
    "re-run this workflow when it is green"
)


class APIError(Exception):
    """GitHub's API could not be asked, or answered with an error status."""

    def __init__(self, url: str, problem: str, status: int | None = None):
        super().__init__(f"{url}: {problem}")
        self.status = status


def get(api: str, path: str, token: str | None) -> dict:
    """GET ``api/path`` from GitHub's REST API, as JSON."""
    url = f"{api.rstrip('/')}/{path}"
    headers = {"Accept": "application/vnd.github+json", "User-Agent": "dlbook-release-check"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            return json.load(response)
    except urllib.error.HTTPError as err:
        raise APIError(url, f"HTTP {err.code} {err.reason}", err.code) from err
    except (urllib.error.URLError, OSError, ValueError) as err:
        raise APIError(url, str(err)) from err


def ref_problem(ref_type: str, ref_name: str, helper_ref: str) -> str | None:
    """Why this ref may not publish, or None."""
    if ref_type != "tag" or not ref_name.startswith("v"):
        return (
            f"Only a tag v* publishes a release; this run is for the {ref_type or 'unknown'} "
            f"{ref_name or '(no name)'}. Push a tag (git tag {helper_ref} && git push origin "
            f"{helper_ref}), or start the workflow by hand from the tag (Use workflow from: Tags)."
        )
    if ref_name != helper_ref:
        return (
            f"The tag {ref_name} is not the release the Colab notebooks install (colab.helper_ref "
            f"in _config.yml is {helper_ref}). Set helper_ref and dlbook.__version__ to this "
            "release, commit, let CI pass, then tag that commit."
        )
    return None


def repository_problem(repository_url: str, server: str, repository: str) -> str | None:
    """Why this repository is not the one _config.yml names, or None."""
    here = f"{server.rstrip('/')}/{repository}"
    if repository_url.rstrip("/").lower() != here.lower():
        return (
            f"_config.yml names the repository {repository_url} (repository.url), but this is "
            f"{here}: the Colab buttons and the notebooks' install line would point elsewhere. "
            "Set repository.url and html.baseurl in _config.yml to this repository."
        )
    return None


def ci_problem(
    api: str, repository: str, sha: str, token: str | None, workflow: str = CI_WORKFLOW
) -> str | None:
    """Why GitHub's API does not show a passed CI run on ``sha`` itself, or None."""
    query = urlencode({"head_sha": sha, "per_page": 100})
    try:
        runs = get(api, f"repos/{repository}/actions/workflows/{workflow}/runs?{query}", token)
    except APIError as err:
        return f"Could not ask GitHub whether CI passed on {sha}: {err}"
    runs = [run for run in runs.get("workflow_runs", []) if run.get("event") in CI_EVENTS]
    if any(run.get("conclusion") == "success" for run in runs):
        return None
    seen = ", ".join(f"{run.get('event')}: {run.get('status')}/{run.get('conclusion')}" for run in runs)
    return (
        f"CI ({workflow}) has not passed on the tagged commit {sha} (runs for a push or by hand: "
        f"{seen or 'none'}). Tag a commit whose CI passed, or {RUN_CI}."
    )


def pages_problem(api: str, repository: str, tag: str, token: str | None) -> str | None:
    """Why GitHub Pages would refuse a deployment from ``tag``, or None.

    Pages must exist (GET /repos/{owner}/{repo}/pages answers 404 when it is off) and be built by
    GitHub Actions (its ``build_type`` is "workflow"; "legacy" builds a branch, and a deployment
    from a workflow then fails). Of the environment's rules: none (``deployment_branch_policy``
    null) lets every branch and tag deploy; "protected branches" lets no tag deploy; custom rules
    let a tag deploy when a rule of type tag matches it (GitHub matches with fnmatch-like
    patterns such as ``v*``)."""
    setup = "Run scripts/setup-pages once (README, 'Enabling the GPU job and Pages')."
    how = (
        "under Settings -> Pages -> Build and deployment -> Source: GitHub Actions, or run "
        "scripts/setup-pages once (it does that through the API: gh api --method PUT "
        f"repos/{repository}/pages -f build_type=workflow, or POST for a repository without Pages), "
        "then re-run this workflow."
    )
    try:
        site = get(api, f"repos/{repository}/pages", token)
    except APIError as err:
        if err.status == 404:
            return f"GitHub Pages is not enabled for {repository}. Turn it on {how}"
        return f"Could not ask GitHub whether GitHub Pages is built by GitHub Actions: {err}"
    if site.get("build_type") != "workflow":
        return (
            f"GitHub Pages of {repository} is built from a branch (build_type "
            f"{site.get('build_type')!r}), not by GitHub Actions, so the deployment would fail "
            f"after the book is built. Switch it {how}"
        )
    environment = f"repos/{repository}/environments/github-pages"
    try:
        policy = get(api, environment, token).get("deployment_branch_policy")
        if policy is None:
            return None
        if not policy.get("custom_branch_policies"):
            return (
                f"The github-pages environment lets only protected branches deploy, not the tag "
                f"{tag}. {setup}"
            )
        rules = get(api, f"{environment}/deployment-branch-policies?per_page=100", token)
    except APIError as err:
        if err.status == 404:
            return f"This repository has no github-pages environment: GitHub Pages is not set up. {setup}"
        return f"Could not ask GitHub whether the tag {tag} may deploy to GitHub Pages: {err}"
    tag_rules = [rule["name"] for rule in rules.get("branch_policies", []) if rule.get("type") == "tag"]
    if any(fnmatch.fnmatchcase(tag, pattern) for pattern in tag_rules):
        return None
    return (
        f"The github-pages environment has no rule for tags matching {tag} (tag rules: "
        f"{', '.join(tag_rules) or 'none'}), so GitHub would refuse the deployment. {setup}"
    )


def main(argv: list[str]) -> int:
    if argv != ["check"]:
        print(__doc__, file=sys.stderr)
        return 2
    env = os.environ
    settings = project.read_settings()
    problem = ref_problem(env.get("GITHUB_REF_TYPE", ""), env.get("GITHUB_REF_NAME", ""), settings.helper_ref)
    missing = [name for name in ("GITHUB_REPOSITORY", "GITHUB_SHA") if not env.get(name)]
    if problem is None and missing:
        problem = f"{', '.join(missing)} not set: run this inside GitHub Actions."
    if problem is None:
        repository, sha, tag = env["GITHUB_REPOSITORY"], env["GITHUB_SHA"], env["GITHUB_REF_NAME"]
        api, token = (
            env.get("GITHUB_API_URL", "https://api.github.com"),
            env.get("GH_TOKEN") or env.get("GITHUB_TOKEN"),
        )
        problem = (
            repository_problem(
                settings.repository_url, env.get("GITHUB_SERVER_URL", "https://github.com"), repository
            )
            or ci_problem(api, repository, sha, token)
            or pages_problem(api, repository, tag, token)
        )
    if problem:
        print(f"Not publishing: {problem}", file=sys.stderr)
        return 1
    print(
        f"{env['GITHUB_REF_NAME']} at {env['GITHUB_SHA']}: the release tag, CI passed, Pages "
        "built by GitHub Actions accepts it; publishing"
    )
    return 0
