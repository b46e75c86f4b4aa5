"""scripts/setup-pages, against a fake GitHub CLI: which `gh` calls it makes on a fresh repository
and on one already set up (none twice), and how it refuses to run without gh."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "setup-pages"

#: A stand-in for gh: records each call (argv, and stdin for --input) as a JSON line in
#: $FAKE_GH_LOG and answers from environment variables. -S: standard library only, quick start.
FAKE_GH = f"""#!{sys.executable} -S
import json, os, sys

args = sys.argv[1:]
stdin = sys.stdin.read() if "--input" in args else None
with open(os.environ["FAKE_GH_LOG"], "a") as log:
    log.write(json.dumps({{"args": args, "stdin": stdin}}) + "\\n")
if args[:2] == ["auth", "status"]:
    sys.exit(int(os.environ.get("FAKE_GH_AUTH", "0")))
if args[:2] == ["repo", "view"]:
    print("me/book")
    sys.exit(0)
path = next((a for a in args if a.startswith("repos/")), "")
if args[:1] == ["api"] and "--method" not in args:  # a GET
    if path.endswith("/pages"):
        code = int(os.environ.get("FAKE_GH_PAGES", "0"))
        if code:
            print(os.environ.get("FAKE_GH_PAGES_ERROR", "gh: Not Found (HTTP 404)"), file=sys.stderr)
        else:
            print('{{"build_type": "legacy"}}')
        sys.exit(code)
    if path.endswith("/environments/github-pages"):
        if "FAKE_GH_ENVIRONMENT" not in os.environ:
            print("gh: Not Found (HTTP 404)", file=sys.stderr)
            sys.exit(1)
        print(os.environ["FAKE_GH_ENVIRONMENT"])
        sys.exit(0)
    if path.endswith("/deployment-branch-policies"):
        sys.stdout.write(os.environ.get("FAKE_GH_POLICIES", ""))
        sys.exit(0)
print("{{}}")
"""

ENVIRONMENT_BODY = {"deployment_branch_policy": {"protected_branches": False, "custom_branch_policies": True}}


def run_setup(tmp_path, *args, pages=0, policies="", **env):
    """Run the script with the fake gh first on PATH; return (result, the calls gh received)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "gh"
    fake.write_text(FAKE_GH)
    fake.chmod(0o755)
    log = tmp_path / "gh.jsonl"
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        FAKE_GH_LOG=str(log),
        FAKE_GH_PAGES=str(pages),
        FAKE_GH_POLICIES=policies,
        **env,
    )
    result = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=env, timeout=30)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return result, calls


def writes(calls):
    """(method, path, fields) of each call that changes something."""
    out = []
    for call in calls:
        args = call["args"]
        if args[0] == "api" and "--method" in args:
            method = args[args.index("--method") + 1]
            path = next(a for a in args if a.startswith("repos/"))
            fields = sorted(args[i + 1] for i, a in enumerate(args) if a == "-f")
            out.append((method, path, fields))
    return out


def helper_ref():
    return yaml.safe_load((ROOT / "_config.yml").read_text())["colab"]["helper_ref"]


def test_fresh_repository(tmp_path):
    result, calls = run_setup(tmp_path, pages=1)
    assert result.returncode == 0, result.stderr
    assert ["repo", "view", "--json", "nameWithOwner", "-q", ".nameWithOwner"] in [c["args"] for c in calls]
    policies = "repos/me/book/environments/github-pages/deployment-branch-policies"
    assert writes(calls) == [
        ("POST", "repos/me/book/pages", ["build_type=workflow"]),
        ("PUT", "repos/me/book/environments/github-pages", []),
        ("POST", policies, ["name=main", "type=branch"]),
        ("POST", policies, ["name=v*", "type=tag"]),
    ]
    (put,) = [c for c in calls if c["stdin"] is not None]
    assert put["args"][put["args"].index("--input") + 1] == "-"
    assert json.loads(put["stdin"]) == ENVIRONMENT_BODY
    assert f"git tag {helper_ref()} && git push origin {helper_ref()}" in result.stdout


def test_already_set_up_changes_only_the_build_type(tmp_path):
    result, calls = run_setup(tmp_path, pages=0, policies="branch main\ntag v*\n")
    assert result.returncode == 0, result.stderr
    assert writes(calls) == [
        ("PUT", "repos/me/book/pages", ["build_type=workflow"]),
        ("PUT", "repos/me/book/environments/github-pages", []),
    ]  # no policy POSTed twice


def test_adds_only_the_missing_policy(tmp_path):
    # A branch policy named v* is not a tag policy: the tags still need theirs.
    result, calls = run_setup(tmp_path, policies="branch main\nbranch v*\n")
    assert result.returncode == 0, result.stderr
    assert writes(calls)[-1] == (
        "POST",
        "repos/me/book/environments/github-pages/deployment-branch-policies",
        ["name=v*", "type=tag"],
    )
    assert len(writes(calls)) == 3


def test_explicit_repository_argument(tmp_path):
    result, calls = run_setup(tmp_path, "other/site", pages=1)
    assert result.returncode == 0, result.stderr
    assert not [c for c in calls if c["args"][:2] == ["repo", "view"]]
    paths = [a for c in calls for a in c["args"] if a.startswith("repos/")]
    assert paths and all(p.startswith("repos/other/site/") for p in paths)


def test_stops_on_an_error_other_than_not_found(tmp_path):
    result, calls = run_setup(tmp_path, pages=1, FAKE_GH_PAGES_ERROR="gh: Bad credentials (HTTP 401)")
    assert result.returncode == 1
    assert "HTTP 401" in result.stderr
    assert writes(calls) == []


def test_refuses_without_a_login(tmp_path):
    result, calls = run_setup(tmp_path, FAKE_GH_AUTH="1")
    assert result.returncode == 1
    assert "https://cli.github.com" in result.stderr and "gh auth login" in result.stderr
    assert [c["args"][:2] for c in calls] == [["auth", "status"]]


def test_refuses_without_gh(tmp_path):
    # A PATH holding only what the script needs before it looks for gh (env finds bash there).
    bin_dir = tmp_path / "nogh"
    bin_dir.mkdir()
    for tool in ("bash", "dirname"):
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"no {tool}")
        (bin_dir / tool).symlink_to(found)
    env = dict(os.environ, PATH=str(bin_dir))
    result = subprocess.run([SCRIPT], capture_output=True, text=True, env=env, timeout=30)
    assert result.returncode == 1
    assert "https://cli.github.com" in result.stderr and "gh auth login" in result.stderr
    assert result.stdout == ""


def test_the_environment_keeps_its_reviewers_and_wait_timer(tmp_path):
    """The PUT replaces the environment's settings: what it already had is sent back."""
    existing = {
        "name": "github-pages",
        "protection_rules": [
            {"id": 1, "type": "wait_timer", "wait_timer": 30},
            {
                "id": 2,
                "type": "required_reviewers",
                "prevent_self_review": True,
                "reviewers": [{"type": "User", "reviewer": {"id": 42, "login": "editor"}}],
            },
            {"id": 3, "type": "branch_policy"},
        ],
        "deployment_branch_policy": {"protected_branches": True, "custom_branch_policies": False},
    }
    result, calls = run_setup(tmp_path, FAKE_GH_ENVIRONMENT=json.dumps(existing))
    assert result.returncode == 0, result.stderr
    (put,) = [c for c in calls if c["stdin"] is not None]
    assert json.loads(put["stdin"]) == {
        **ENVIRONMENT_BODY,
        "wait_timer": 30,
        "prevent_self_review": True,
        "reviewers": [{"type": "User", "id": 42}],
    }
