"""Benchmark: loading franchise-size inventories, and the memory of an offline audit of them.

Generates an organization (2,000 roster people, every account field filled) as YAML and as CSV
with its ``.org.yaml``. Reports ``rollcall validate`` time against a bare
``yaml.load(..., Loader=CSafeLoader)`` of the same YAML file, in this process (target <= 3x;
the CSV is also set against ``csv.DictReader``), and the peak RSS of ``rollcall validate`` and
of ``rollcall audit --offline`` writing JSON, each in a child process (target for the audit:
<= 250 MB at 50,000 accounts). Run by
hand: ``.venv/bin/python bench/bench_load.py [ACCOUNTS...]``. Prints figures, asserts nothing.
"""

from __future__ import annotations

import contextlib
import csv
import io
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import yaml

from scanner.cli.main import run
from scanner.inventory import CSV_COLUMNS

SIZES = (5_000, 20_000, 50_000)
PEOPLE = 2_000
PLATFORMS = ("instagram", "facebook", "x", "linkedin", "youtube", "tiktok", "threads")
TIME_TARGET = 3.0
RSS_TARGET_MB = 250


def _person(i: int) -> str:
    return f"p{i:04d}@fran.example"


def write_roster(path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["email", "name", "department", "role", "status", "start_date"])
        for i in range(PEOPLE):
            out.writerow(
                [_person(i), f"Person {i}", "Marketing", "employee", "active", "2020-01-06"]
            )


# Each platform's handle form (the loader checks them).
_HANDLES = {
    "x": "fran{i:05d}",
    "linkedin": "company/fran-{i:05d}",
    "youtube": "@fran{i:05d}",
}


def _account(i: int) -> dict[str, object]:
    platform = PLATFORMS[i % len(PLATFORMS)]
    return {
        "id": f"loc{i:05d}-{platform}",
        "platform": platform,
        "handle": _HANDLES.get(platform, "fran{i:05d}").format(i=i),
        "display_name": f"Franchise {i:05d}",
        "status": "active",
        "department": "Marketing",
        "owner": _person(i % PEOPLE),
        "backup_owner": _person((i + 1) % PEOPLE),
        "executive_sponsor": _person(0),
        "objective": "Store visits",
        "metrics": ["visits"],
        "created": "2019-04-01",
        "last_attested": "2026-09-01",
        "security": {"mfa": True, "credentials": "vault", "recovery_email": _person(1)},
        "tags": ["local"],
    }


_ORGANIZATION = """organization:
  name: Franchise Example
  aliases: [Franchise]
  domains: [fran.example]
  policy_owner: p0000@fran.example
  roster: roster.csv
  departments: [Marketing]
  approved_platforms: [{platforms}]
"""


def write_yaml(path: Path, accounts: int) -> None:
    with path.open("w", encoding="utf-8") as f:
        f.write(_ORGANIZATION.format(platforms=", ".join(PLATFORMS)))
        f.write("accounts:\n")
        for i in range(accounts):
            a = _account(i)
            lines = [f"  - id: {a['id']}"]
            for key, value in list(a.items())[1:]:
                if isinstance(value, dict):
                    lines.append(f"    {key}:")
                    lines.extend(
                        f"      {k}: {str(v).lower() if v is True else v}" for k, v in value.items()
                    )
                elif isinstance(value, list):
                    lines.append(f"    {key}: [{', '.join(value)}]")
                elif key == "handle":  # '@fran00004' cannot start a plain YAML scalar
                    lines.append(f"    {key}: '{value}'")
                else:
                    lines.append(f"    {key}: {value}")
            f.write("\n".join(lines) + "\n")


def write_csv(path: Path, accounts: int) -> None:
    path.with_name(path.stem + ".org.yaml").write_text(
        _ORGANIZATION.format(platforms=", ".join(PLATFORMS)), encoding="utf-8"
    )
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(CSV_COLUMNS)
        for i in range(accounts):
            a = _account(i)
            security = a["security"]
            assert isinstance(security, dict)
            row = []
            for column in CSV_COLUMNS:
                parent, _, child = column.partition(".")
                value = security.get(child) if child else a.get(column, "")
                row.append(" ".join(value) if isinstance(value, list) else str(value or ""))
            out.writerow(row)


def best_of(n: int, fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(n):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def validate(path: Path) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = run(["validate", str(path)])
    if code != 0:
        raise SystemExit(f"rollcall validate {path} exited {code}")


def bare_yaml(path: Path) -> None:
    with path.open("rb") as f:
        yaml.load(f, Loader=yaml.CSafeLoader)


def bare_csv(path: Path) -> None:
    with path.open(newline="", encoding="utf-8") as f:
        for _ in csv.DictReader(f):
            pass


# A child's peak RSS as Linux reports it starts from its parent's at fork time (exec keeps the
# high-water mark), and this process has loaded big inventories: measure from a small wrapper.
_WRAPPER = (
    "import os, sys\n"
    "pid = os.posix_spawn(sys.executable, [sys.executable, *sys.argv[1:]], os.environ)\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)\n"
)


def child_peak_rss(args: list[str]) -> tuple[float, float]:
    """Peak RSS (MB) and seconds of ``python -m scanner ARGS`` in a child process."""
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-S", "-c", _WRAPPER, "-m", "scanner", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    seconds = time.perf_counter() - start
    code, max_rss_kib = (int(word) for word in out.stdout.split()[-2:])
    if code != 0:
        raise SystemExit(f"rollcall {' '.join(args)} exited {code}")
    return max_rss_kib / 1024, seconds


def audit_args(inventory: Path) -> list[str]:
    """An offline audit writing the JSON report, whatever it finds."""
    report = inventory.with_suffix(".json")
    return [
        "audit",
        str(inventory),
        "--offline",
        "--no-history",
        "--max-unverified",
        "1",
        "--fail-on",
        "never",
        "--output",
        f"json={report}",
    ]


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    print(
        f"{'form':<5} {'accounts':>8} {'MB':>6} {'validate':>9} {'bare':>7} {'ratio':>6}"
        f" {'valid. RSS':>10} {'audit RSS':>10} {'audit s':>8}"
    )

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_roster(folder / "roster.csv")
        for accounts in sizes:
            yaml_bare = 0.0
            for form in ("yaml", "csv"):
                path = folder / f"org{accounts}.{form}"
                (write_yaml if form == "yaml" else write_csv)(path, accounts)
                mb = path.stat().st_size / 1e6
                validate_s = best_of(2, partial(validate, path))
                bare_s = best_of(2, partial(bare_yaml if form == "yaml" else bare_csv, path))
                yaml_bare = bare_s if form == "yaml" else yaml_bare
                validate_rss, _ = child_peak_rss(["validate", str(path)])
                rss, audit_s = child_peak_rss(audit_args(path))
                print(
                    f"{form:<5} {accounts:>8,} {mb:>6.1f} {validate_s:>8.2f}s {bare_s:>6.2f}s"
                    f" {validate_s / bare_s:>5.1f}x {validate_rss:>7.0f} MB"
                    f" {rss:>7.0f} MB {audit_s:>7.1f}s"
                    + (
                        f"  ({validate_s / yaml_bare:.1f}x the YAML's bare load)"
                        if form == "csv"
                        else ""
                    )
                )
    print(
        f"targets: validate <= {TIME_TARGET:.0f}x bare yaml.load (CSafeLoader) of the YAML;"
        f" audit peak RSS <= {RSS_TARGET_MB} MB at 50,000 accounts"
    )


if __name__ == "__main__":
    main()
