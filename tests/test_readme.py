"""Every command block of the README runs as written on the shipped example, with the exit code
the README gives it (issue 16: `rollcall history show 1` failed as written).

What runs, and how; this docstring is the whole mapping, kept small on purpose:

- Fences marked ```sh, ```bash or ```console hold commands (console: `$ ` lines are commands,
  the lines under one are output it must print). Any other fence holding a `rollcall` command
  fails the test, so no command escapes by its fence.
- A block right after `<!-- readme-test: not run: REASON -->` is not run. Rare by rule (at most
  two): the test-suite line of the Quickstart (.ci/run runs it verbatim, tests/test_cli.py checks
  that) and the developer tooling, which both run the whole suite and would recurse.
- Files the README shows with a title (```yaml title="my-org.yaml"```) are written, as shown,
  into the working directory before the first command, so the commands that name them work.
- All commands run in README order in one temporary working directory holding copies of
  inventories/ and policies/, so state builds up as for a reader (`history diff 1 2` follows
  two audits).
- `rollcall ARGS` runs in-process (scanner.cli.main.run, the real exit-code mapping). Nothing
  reaches the internet: a command that fetches (it has --endpoint) and does not already say
  --offline, --replay, --endpoint or --config gets `--config sandbox.toml`, a config file that
  points every platform at an in-process sandbox serving the example world and lifts the
  per-host pacing real platforms need (as `rollcall demo` does); a fetching command without
  --config gets the sandbox's --endpoint flags instead.
- `.venv/bin/rollcall` is `rollcall`; the `python3 -m venv` and `.venv/bin/pip install` steps of a
  chain are the installed environment this test runs in (.ci/run performs them on a clean clone).
- A command whose comment says it runs "until Ctrl-C" runs as a process, gets SIGINT once it has
  announced itself, and must then exit as documented.
- The expected exit code is the one the command's comment gives (`# exits 1: ...`), else 0.
"""

from __future__ import annotations

import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click
import pytest

from scanner.cli.main import cli, run
from scanner.model import Platform
from scanner.platforms.api.interface import Api
from scanner.sandbox import Sandbox, example_world_path, load_world

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

SHELL_FENCES = ("sh", "bash", "console")
MAX_NOT_RUN = 2
FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<info>.*)$")
NOT_RUN = re.compile(r"^<!-- readme-test: not run: (?P<reason>\S.*?) -->$")
TITLE = re.compile(r'\btitle="(?P<name>[^"/]+)"')
EXPECTED_EXIT = re.compile(r"\bexits? (?P<code>\d+)\b")
ROLLCALL_LINE = re.compile(r"^(\$ )?(\.venv/bin/)?rollcall\s")
SETUP_STEPS = (("python3", "-m", "venv"), (".venv/bin/pip", "install"))
SERVE_DEADLINE = 60.0
"""Seconds a "until Ctrl-C" command may take to announce itself: a did-not-hang bound."""


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    title: str | None
    body: str
    not_run: str | None


@dataclass(frozen=True)
class Command:
    line: int
    text: str
    words: tuple[str, ...]
    comment: str
    shown: str | None = None
    """console blocks: the output the README shows under the command."""

    @property
    def expected_exit(self) -> int:
        found = EXPECTED_EXIT.search(self.comment)
        return int(found["code"]) if found else 0

    @property
    def until_interrupted(self) -> bool:
        return "until Ctrl-C" in self.comment


def readme_blocks(text: str) -> list[Block]:
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if fence is None:
            i += 1
            continue
        end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith("```"))
        before = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        marker = NOT_RUN.match(before)
        title = TITLE.search(fence["info"])
        blocks.append(
            Block(
                line=i + 1,
                lang=fence["lang"],
                title=title["name"] if title else None,
                body="\n".join(lines[i + 1 : end]) + "\n",
                not_run=marker["reason"] if marker else None,
            )
        )
        i = end + 1
    return blocks


def _command(line: int, text: str, shown: str | None = None) -> Command:
    lexer = shlex.shlex(text, posix=True, punctuation_chars="&")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    words = tuple(lexer)
    comment = text.split(" #", 1)[1] if " #" in text else ""
    return Command(line, text, words, comment.strip(), shown)


def block_commands(block: Block) -> list[Command]:
    lines = block.body.splitlines()
    commands: list[Command] = []
    if block.lang == "console":
        i = 0
        while i < len(lines):
            if not lines[i].startswith("$ "):
                i += 1
                continue
            j = i + 1
            while j < len(lines) and not lines[j].startswith("$ "):
                j += 1
            shown = "\n".join(lines[i + 1 : j]).strip()
            commands.append(_command(block.line + 1 + i, lines[i][2:], shown))
            i = j
        return commands
    pending: list[str] = []
    for offset, raw in enumerate(lines):
        if not pending and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if raw.rstrip().endswith("\\"):
            pending.append(raw.rstrip()[:-1])
            continue
        start = block.line + 1 + offset - len(pending)
        commands.append(_command(start, " ".join([*pending, raw]).strip()))
        pending = []
    assert not pending, f"README.md:{block.line}: a command ends with a line continuation"
    return commands


def _steps(command: Command) -> list[tuple[str, ...]]:
    """The command split at `&&`, install steps dropped, `.venv/bin/rollcall` as `rollcall`."""
    steps: list[tuple[str, ...]] = [()]
    for word in command.words:
        if word == "&&":
            steps.append(())
        else:
            steps[-1] += (word,)
    kept = []
    for step in steps:
        if any(step[: len(setup)] == setup for setup in SETUP_STEPS):
            continue
        if step and step[0] == ".venv/bin/rollcall":
            step = ("rollcall", *step[1:])
        kept.append(step)
    return kept


def _click_command(args: tuple[str, ...]) -> click.Command:
    """The command ``args`` run, loading lazy commands (a command not yet imported in this
    process is not in ``commands`` until asked for)."""
    cmd: click.Command = cli
    for word in args:
        if not isinstance(cmd, click.Group):
            break
        found = cmd.get_command(click.Context(cmd), word)
        if found is None:
            break
        cmd = found
    return cmd


def _sandbox_flags(args: tuple[str, ...], config: Path, sandbox: Sandbox) -> list[str]:
    params = {p.name for p in _click_command(args).params}
    said = {w.split("=", 1)[0] for w in args}
    if "endpoints" not in params or said & {"--offline", "--replay", "--endpoint", "--config"}:
        return []
    if "config_path" in params:
        return ["--config", str(config)]
    return [flag for p, url in sandbox.endpoints().items() for flag in ("--endpoint", f"{p}={url}")]


def _run_until_interrupted(args: tuple[str, ...], cwd: Path) -> tuple[int, str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    lines: queue.Queue[str] = queue.Queue()
    seen: list[str] = []
    with subprocess.Popen(
        [sys.executable, "-m", "scanner", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as proc:
        out = proc.stdout
        assert out is not None
        # A reader thread, because a blocking readline cannot wait with a deadline.
        reader = threading.Thread(target=lambda: [lines.put(line) for line in out])
        reader.start()
        try:
            while not any("Press Ctrl-C" in line for line in seen) and proc.poll() is None:
                seen.append(lines.get(timeout=SERVE_DEADLINE))
        except queue.Empty:
            proc.kill()
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=SERVE_DEADLINE)
        reader.join()
    while not lines.empty():
        seen.append(lines.get())
    return proc.returncode, "".join(seen)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(load_world(example_world_path())) as sb:
        yield sb


@pytest.fixture
def workdir(tmp_path: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Path:
    for folder in ("inventories", "policies"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    lines = ["[endpoints]", *(f'{p} = "{url}"' for p, url in sandbox.endpoints().items())]
    for name in (*(p.value for p in Platform), *(a.value for a in Api)):
        lines += [f"[limits.{name}]", "concurrency = 8", "min_interval = 0"]
    (tmp_path / "sandbox.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for block in readme_blocks(README.read_text(encoding="utf-8")):
        if block.title is not None:
            (tmp_path / block.title).write_text(block.body, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


def test_every_command_in_the_readme_is_in_a_block_the_test_runs() -> None:
    for block in BLOCKS:
        if block.lang not in SHELL_FENCES:
            stray = [ln for ln in block.body.splitlines() if ROLLCALL_LINE.match(ln)]
            assert not stray, f"README.md:{block.line}: ```{block.lang} block holds {stray}"
    not_run = [b for b in BLOCKS if b.not_run is not None]
    assert len(not_run) <= MAX_NOT_RUN, [b.line for b in not_run]
    assert all(b.lang in SHELL_FENCES for b in not_run)
    run_blocks = [b for b in BLOCKS if b.lang in SHELL_FENCES and b.not_run is None]
    tops = {s[1] for b in run_blocks for c in block_commands(b) for s in _steps(c) if len(s) > 1}
    # The extraction itself is checked: the commands the README walks a reader through are there.
    assert {"demo", "audit", "history", "rules", "policy", "validate", "sandbox"} <= tops, tops


def test_every_readme_command_runs_as_written(
    workdir: Path, sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    config = workdir / "sandbox.toml"
    failures: list[str] = []
    ran = 0
    for block in BLOCKS:
        if block.lang not in SHELL_FENCES or block.not_run is not None:
            continue
        for command in block_commands(block):
            for step in _steps(command):
                assert step and step[0] == "rollcall", (
                    f"README.md:{command.line}: this test runs rollcall commands only, got "
                    f"{command.text!r}; mark the block <!-- readme-test: not run: WHY -->"
                )
                ran += 1
                args = step[1:]
                if command.until_interrupted:
                    code, out = _run_until_interrupted(args, workdir)
                    err = out
                else:
                    capsys.readouterr()
                    code = run([*args, *_sandbox_flags(args, config, sandbox)])
                    out, err = capsys.readouterr()
                where = f"README.md:{command.line}: {command.text}"
                if code != command.expected_exit:
                    tail = "\n    ".join(err.strip().splitlines()[-5:])
                    failures.append(
                        f"{where}\n  exit {code}, README says {command.expected_exit}\n    {tail}"
                    )
                elif command.shown and command.shown not in out:
                    failures.append(f"{where}\n  output differs from the README's:\n{out}")
    assert ran >= 10
    assert not failures, "\n".join(failures)
