"""The shipped GitHub workflow and pre-commit hooks are valid YAML and their commands run as
written against the example inventory."""

from __future__ import annotations

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


def test_review_workflow_command_runs_as_written(tmp_path: Path) -> None:
    workflow = yaml.safe_load(
        (ROOT / ".github" / "workflows" / "rollcall-review.yml").read_text(encoding="utf-8")
    )
    steps = workflow["jobs"]["review"]["steps"]
    [step] = [s for s in steps if "rollcall review" in s.get("run", "")]
    command = shlex.split(step["run"].replace("origin/${{ github.base_ref }}", "HEAD~1"))
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
    proc = subprocess.run(
        [*ROLLCALL, *command[1:]], cwd=repo, capture_output=True, text=True, check=False
    )
    assert proc.returncode == ExitCode.CLEAN, proc.stderr
    assert "retired" in proc.stdout
    assert (repo / "rollcall-review.sarif").stat().st_size > 0
