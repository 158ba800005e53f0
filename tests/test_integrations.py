"""The shipped GitHub workflow and pre-commit hooks are valid YAML and their commands run as
written against the example inventory."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from scanner.cli.exitcodes import ExitCode

ROOT = Path(__file__).resolve().parent.parent
ROLLCALL = [sys.executable, "-m", "scanner"]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-C", str(repo), *args],
        check=True,
        capture_output=True,
    )


def test_pre_commit_hooks_run_on_the_example_files() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"rollcall-validate", "rollcall-policy-validate"}
    tracked = [p.relative_to(ROOT).as_posix() for p in ROOT.glob("*/*") if p.is_file()]
    for hook in hooks:
        include = re.compile(hook["files"])
        exclude = re.compile(hook["exclude"]) if "exclude" in hook else None
        files = sorted(
            f for f in tracked if include.search(f) and not (exclude and exclude.search(f))
        )
        assert files, hook["id"]
        command = shlex.split(hook["entry"])
        assert command[0] == "rollcall"
        proc = subprocess.run(
            [*ROLLCALL, *command[1:], *files], cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 0, (hook["id"], files, proc.stderr)


@pytest.mark.parametrize("name", ["rollcall-review.yml", "weekly-audit.yml"])
def test_workflows_are_valid_yaml(name: str) -> None:
    doc = yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))
    assert doc["jobs"] and doc.get(True, doc.get("on"))  # YAML 1.1 reads `on:` as True


def _review_step(base_ref: str) -> str:
    """The review step's shell script as GitHub runs it: expressions filled in, bash only."""
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "rollcall-review.yml").read_text(encoding="utf-8")
    )
    steps = workflow["jobs"]["review"]["steps"]
    [step] = [s for s in steps if "rollcall review" in s.get("run", "")]
    assert step["shell"] == "bash"
    script: str = step["run"].replace("${{ github.base_ref }}", base_ref)
    assert "${{" not in script, "an expression this test does not fill in"
    return script


def _run_step(script: str, cwd: Path, bin_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run a step the way ``shell: bash`` does (bash --noprofile --norc -eo pipefail {0}), with
    ``bin_dir`` first on PATH so ``rollcall`` is the one the test provides."""
    path = cwd / "step.sh"
    path.write_text(script, encoding="utf-8")
    env = {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "HOME": str(cwd)}
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def _stub_rollcall(bin_dir: Path, body: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    stub = bin_dir / "rollcall"
    stub.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    stub.chmod(0o755)


NEEDS_REVIEW_LINE = (
    "rollcall: needs review: REV-005 linkedin company/copper-kettle-tours: could not verify"
    " whether the handle is free on linkedin: LinkedIn showed its sign-in page (HTTP 200, 100%)"
)


def test_review_workflow_treats_exit_3_as_a_neutral_annotation(tmp_path: Path) -> None:
    """needs_review (exit 3) passes the step and leaves one warning per reason on stderr."""
    _stub_rollcall(
        tmp_path / "bin",
        f'echo "Decision: needs_review"\necho "{NEEDS_REVIEW_LINE}" >&2\nexit 3',
    )
    proc = _run_step(_review_step("main"), tmp_path, tmp_path / "bin")
    assert proc.returncode == 0, proc.stderr
    annotations = [line for line in proc.stdout.splitlines() if line.startswith("::")]
    assert annotations == [
        "::warning title=rollcall review needs a person::REV-005 linkedin"
        " company/copper-kettle-tours: could not verify whether the handle is free on linkedin:"
        " LinkedIn showed its sign-in page (HTTP 200, 100%25)"
    ]
    assert NEEDS_REVIEW_LINE in proc.stderr  # the log keeps rollcall's own words too


@pytest.mark.parametrize("code", [ExitCode.FINDINGS, ExitCode.BAD_INPUT])
def test_review_workflow_fails_the_check_on_reject_and_bad_input(
    tmp_path: Path, code: ExitCode
) -> None:
    _stub_rollcall(tmp_path / "bin", f'echo "rollcall: something" >&2\nexit {int(code)}')
    proc = _run_step(_review_step("main"), tmp_path, tmp_path / "bin")
    assert proc.returncode == code
    assert "::warning" not in proc.stdout
    assert "rollcall: something" in proc.stderr


def test_review_workflow_passes_an_approval_quietly(tmp_path: Path) -> None:
    _stub_rollcall(tmp_path / "bin", 'echo "args: $*"\nexit 0')
    proc = _run_step(_review_step("main"), tmp_path, tmp_path / "bin")
    assert proc.returncode == 0, proc.stderr
    assert "::" not in proc.stdout
    assert "review --head inventories/copper-kettle.yaml --base-ref origin/main" in proc.stdout


def test_review_workflow_command_runs_as_written(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    _stub_rollcall(bin_dir, f'exec {shlex.quote(sys.executable)} -m scanner "$@"')
    repo = tmp_path / "repo"
    shutil.copytree(ROOT / "inventories", repo / "inventories")
    shutil.copytree(ROOT / "policies", repo / "policies")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    inventory = repo / "inventories" / "copper-kettle.yaml"
    text = inventory.read_text(encoding="utf-8")
    inventory.write_text(text.replace("status: active", "status: retired", 1), encoding="utf-8")
    _git(repo, "commit", "-qam", "retire the main X account")
    _git(repo, "update-ref", "refs/remotes/origin/main", "HEAD~1")  # the pull request's base
    proc = _run_step(_review_step("main"), repo, bin_dir)
    assert proc.returncode == ExitCode.CLEAN, proc.stderr
    assert "retired" in proc.stdout
    assert (repo / "rollcall-review.sarif").stat().st_size > 0
