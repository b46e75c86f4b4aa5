"""What a release must be before it publishes anything (.github/workflows/publish.yml).

    python scripts/release.py check

passes only when all of these hold, and otherwise says which failed and what to do:

- the run is for a tag ``v*`` (a push of the tag, or a manual run started from the tag): a
  manual run from a branch refuses, since only a tag publishes a release;
- the tag is the release the Colab notebooks install (``colab.helper_ref`` in _config.yml);
- the CI workflow (.github/workflows/ci.yml) passed on the tagged commit, as GitHub's API says.

It reads what GitHub Actions sets: GITHUB_REF_TYPE, GITHUB_REF_NAME, GITHUB_SHA,
GITHUB_REPOSITORY, GITHUB_API_URL, and the token in GH_TOKEN (or GITHUB_TOKEN).
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from urllib.parse import urlencode

import colab

CI_WORKFLOW = "ci.yml"


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


def ci_problem(
    api: str, repository: str, sha: str, token: str | None, workflow: str = CI_WORKFLOW
) -> str | None:
    """Why GitHub's API does not show a passed CI run on ``sha``, or None."""
    query = urlencode({"head_sha": sha, "per_page": 100})
    url = f"{api.rstrip('/')}/repos/{repository}/actions/workflows/{workflow}/runs?{query}"
    headers = {"Accept": "application/vnd.github+json", "User-Agent": "dlbook-release-check"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            runs = json.load(response).get("workflow_runs", [])
    except (urllib.error.URLError, OSError, ValueError) as err:
        return f"Could not ask GitHub whether CI passed on {sha} ({url}): {err}"
    if any(run.get("conclusion") == "success" for run in runs):
        return None
    seen = ", ".join(f"{run.get('status')}/{run.get('conclusion')}" for run in runs) or "no run at all"
    return (
        f"CI ({workflow}) has not passed on the tagged commit {sha} (runs found: {seen}). Tag a "
        f"commit whose CI passed, or run CI on it (Actions -> CI -> Run workflow) and publish "
        "again when it is green."
    )


def main(argv: list[str]) -> int:
    if argv != ["check"]:
        print(__doc__, file=sys.stderr)
        return 2
    env = os.environ
    helper_ref = colab.read_settings().helper_ref
    problem = ref_problem(env.get("GITHUB_REF_TYPE", ""), env.get("GITHUB_REF_NAME", ""), helper_ref)
    if problem is None:
        missing = [name for name in ("GITHUB_REPOSITORY", "GITHUB_SHA") if not env.get(name)]
        if missing:
            problem = f"{', '.join(missing)} not set: run this inside GitHub Actions."
        else:
            problem = ci_problem(
                env.get("GITHUB_API_URL", "https://api.github.com"),
                env["GITHUB_REPOSITORY"],
                env["GITHUB_SHA"],
                env.get("GH_TOKEN") or env.get("GITHUB_TOKEN"),
            )
    if problem:
        print(f"Not publishing: {problem}", file=sys.stderr)
        return 1
    print(f"{env['GITHUB_REF_NAME']} at {env['GITHUB_SHA']}: a release tag that passed CI; publishing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
