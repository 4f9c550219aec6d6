"""The CI workflows in examples/: valid YAML in the shape GitHub Actions and GitLab CI read, and every
command in them run, job by job, on a small suite in a git repository with a pull-request branch
(artifacts handed from job to job as the services do). Only the `pip install` lines are not run:
they install hflint and torch, which the test's environment already has."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO = Path(__file__).parent.parent
SUITE = REPO / "fixtures" / "sample_suite"
GITHUB = REPO / "examples" / "github" / "hflint.yml"
GITLAB = REPO / "examples" / "gitlab" / ".gitlab-ci.yml"
CODE_QUALITY_SCHEMA = Path(__file__).parent / "data" / "gitlab-code-quality.schema.json"
# What an install line may install: hflint from the configured source, torch for the CPU.
INSTALL = re.compile(
    r'pip install ("hflint(\[exec\])? @ \$HFLINT_SOURCE"|torch torchvision --index-url \S+/cpu)$'
)
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def test_the_workflows_parse_in_the_services_shapes() -> None:
    github = load(GITHUB)
    # PyYAML reads YAML 1.1, where a bare `on` is true: GitHub reads it as the key "on".
    assert set(github[True]) == {"pull_request", "push"}
    for name, job in github["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest", name
        assert all(("uses" in step) != ("run" in step) for step in job["steps"]), name
    assert github["jobs"]["report"]["needs"] == "exec"
    gitlab = load(GITLAB)
    stages = gitlab["stages"]
    jobs = {k: v for k, v in gitlab.items() if isinstance(v, dict) and "script" in v}
    assert set(jobs) == {"hflint-code-quality", "hflint-exec", "hflint-report"}
    assert all(job["stage"] in stages for job in jobs.values())
    assert jobs["hflint-code-quality"]["artifacts"]["reports"]["codequality"]


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """A suite's repository: main holds two files, a pull-request branch edits one of them."""
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    for name in ("test_hf_bert.py", "test_hf_beit.py"):  # beit does not parse
        shutil.copy(SUITE / name, repo / "tests" / name)

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q", "-b", "main")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "--allow-empty", "-m", "start")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "suite")
    git("update-ref", "refs/remotes/origin/main", "HEAD")
    git("checkout", "-q", "-b", "change")
    beit = repo / "tests" / "test_hf_beit.py"
    beit.write_bytes(beit.read_bytes() + b"\n# reviewed\n")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-am", "edit beit")
    return repo


def _environment(variables: Mapping[str, str]) -> dict[str, str]:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {**os.environ, "PATH": path, "HF_HUB_OFFLINE": "1", **variables}


def run_lines(
    script: str, where: Path, variables: Mapping[str, str], context: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """One `run:` step (or one GitLab script line) as the runners do: bash, stopping at the first
    failing command; `${{ expression }}` replaced from `context` (an unknown one fails the test)."""

    def value(match: re.Match[str]) -> str:
        assert match.group(1) in context, f"no value for ${{{{ {match.group(1)} }}}} in the test"
        return context[match.group(1)]

    lines = [line for line in EXPRESSION.sub(value, script).splitlines() if line.strip()]
    installs = [line for line in lines if line.startswith("pip ")]
    assert all(INSTALL.fullmatch(line) for line in installs), installs
    kept = "\n".join(line for line in lines if not line.startswith("pip "))
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", kept or "true"],
        cwd=where,
        env=_environment(variables),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _checkout(repository: Path, where: Path) -> Path:
    shutil.copytree(repository, where, symlinks=True)
    return where


@pytest.mark.slow
@pytest.mark.exec
def test_every_github_command_runs(repository: Path, tmp_path: Path) -> None:
    workflow = load(GITHUB)
    summary = tmp_path / "step-summary.md"
    variables = {**workflow["env"], "GITHUB_STEP_SUMMARY": str(summary)}
    context = {"github.event_name": "pull_request", "github.base_ref": "main"}
    outputs: dict[str, subprocess.CompletedProcess[str]] = {}

    def job(name: str, where: Path, matrix: Mapping[str, str] | None = None) -> None:
        for step in workflow["jobs"][name]["steps"]:
            if "run" not in step:
                continue
            if step.get("if") is not None:
                assert step["if"] == "github.event_name == 'pull_request'"  # true here
            known = {**context, **{f"matrix.{k}": v for k, v in (matrix or {}).items()}}
            outputs[f"{name}: {step['name']}"] = run_lines(step["run"], where, variables, known)

    lint = _checkout(repository, tmp_path / "lint")
    job("lint", lint)
    changed = outputs["lint: Lint the changed test files"]
    assert changed.returncode == 1  # the pull request's file has a syntax error: the check fails
    assert changed.stdout.startswith(
        "::error title=hflint (HF001),file=tests/test_hf_beit.py,line=186"
    )
    assert (lint / "changed.txt").read_text() == "tests/test_hf_beit.py\n"
    assert outputs["lint: SARIF for code scanning"].returncode == 0
    assert json.loads((lint / "hflint.sarif").read_text())["runs"][0]["results"]

    report = tmp_path / "report"
    report.mkdir()
    for shard in workflow["jobs"]["exec"]["strategy"]["matrix"]["shard"]:
        where = _checkout(repository, tmp_path / f"exec-{shard}")
        job("exec", where, {"shard": str(shard)})
        ran = outputs["exec: Report on this shard, running its files"]
        assert ran.returncode == 0, ran.stderr
        # upload-artifact, then download-artifact with a pattern: one folder per artifact.
        artifact = report / "shards" / f"hflint-shard-{shard}"
        artifact.mkdir(parents=True)
        shutil.copy(where / f"shard-{shard}" / "report.json", artifact / "report.json")
    job("report", report)
    for name, result in outputs.items():
        if name.startswith("report:"):
            assert result.returncode == 0, (name, result.stderr)
    merged = json.loads((report / "report" / "report.json").read_text())
    assert merged["shards"] == ["1/2", "2/2"]
    statuses = {Path(r["file"]).name: r["status"] for r in merged["exec"]["records"]}
    assert statuses == {"test_hf_bert.py": "passed", "test_hf_beit.py": "skipped"}
    assert summary.read_text().startswith("## hflint report:")
    assert "#1" in outputs["report: Trends"].stdout


@pytest.mark.slow
@pytest.mark.exec
def test_every_gitlab_command_runs(repository: Path, tmp_path: Path) -> None:
    pipeline = load(GITLAB)
    variables = dict(pipeline["variables"])

    def job(name: str, where: Path, extra: Mapping[str, str] = {}) -> None:
        spec = pipeline[name]
        for line in [*spec.get("before_script", []), *spec["script"]]:
            result = run_lines(line, where, {**variables, **extra}, {})
            assert result.returncode == 0, (name, line, result.stderr)

    quality = _checkout(repository, tmp_path / "quality")
    job("hflint-code-quality", quality)
    issues = json.loads((quality / "gl-code-quality-report.json").read_text())
    jsonschema.Draft7Validator(json.loads(CODE_QUALITY_SCHEMA.read_text())).validate(issues)
    assert {issue["location"]["path"] for issue in issues} == {"tests/test_hf_beit.py"}

    report = tmp_path / "report"
    report.mkdir()
    total = pipeline["hflint-exec"]["parallel"]
    for index in range(1, total + 1):
        where = _checkout(repository, tmp_path / f"exec-{index}")
        job("hflint-exec", where, {"CI_NODE_INDEX": str(index), "CI_NODE_TOTAL": str(total)})
        (report / f"shard-{index}").mkdir()  # the artifacts, at the same paths in the next stage
        shutil.copy(where / f"shard-{index}" / "report.json", report / f"shard-{index}")
    job("hflint-report", report)
    merged = json.loads((report / "report" / "report.json").read_text())
    assert merged["shards"] == [f"{k}/{total}" for k in range(1, total + 1)]
    assert merged["totals"]["files"] == 2 and merged["totals"]["exec"]["passed"] == 1
    assert (report / "hflint-history.sqlite").is_file()
