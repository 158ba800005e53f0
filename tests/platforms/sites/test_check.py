"""`rollcall check` and the sites' self-check end to end, over real sockets to a local server
playing hundreds of generated sites, some behind WAF challenges and login walls."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.cli.main import run
from scanner.platforms.sites import load_sites, sites_path
from scanner.sandbox import Sandbox, example_world_path, load_world
from tests.platforms.sites import world

PACE = "[limits.default]\nconcurrency = 16\nmin_interval = 0\n"
"""Every generated site lives on 127.0.0.1: lift the default per-host pacing, as the sandbox
config of the README test does for the platforms."""


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with world.serve() as url:
        yield url


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory of this test's own (never the user's) and the pacing config."""
    monkeypatch.setenv("ROLLCALL_DATA_DIR", str(tmp_path / "data"))
    (tmp_path / "pace.toml").write_text(PACE)
    world.HEALED.clear()
    world.SOFT_404.clear()
    return tmp_path


def _check(env: Path, *args: str) -> list[str]:
    return [
        *args,
        "--only-sites",
        "--allow-private-network",
        "--config",
        str(env / "pace.toml"),
    ]


def _answers(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def _index(where: object) -> int:
    found = re.search(r":Site (\d+)$", str(where))
    assert found, where
    return int(found[1])


@pytest.mark.parametrize(("fmt", "count"), [("wmn", 700), ("sherlock", 480)])
def test_check_over_hundreds_of_sites_never_reads_absent_by_mistake(
    env: Path, base: str, capsys: pytest.CaptureFixture[str], fmt: str, count: int
) -> None:
    make = world.wmn_file if fmt == "wmn" else world.sherlock_file
    assert run(["sites", "import", str(make(env / f"{fmt}.json", count, base))]) == 0
    capsys.readouterr()
    code = run(_check(env, "check", world.ALICE, "nobody42", "--format", "jsonl"))
    out, err = capsys.readouterr()
    answers = _answers(out)
    assert code == 3, err  # the WAF and login-wall sites cannot be verified
    assert len(answers) == 2 * count
    wrong = []
    for a in answers:
        i, handle = _index(a["where"]), str(a["handle"])
        if world.mode(i) != "ok":
            expected = {"blocked"}
        else:
            expected = {"present"} if world.exists(i, handle) else {"absent"}
        if a["state"] not in expected:
            wrong.append((a["where"], handle, a["state"], a["signal"], a["reason"]))
    assert not wrong, wrong[:5]
    false_absent = [
        a for a in answers if a["state"] == "absent" and world.mode(_index(a["where"])) != "ok"
    ]
    assert not false_absent
    unverified = sum(a["state"] != "present" and a["state"] != "absent" for a in answers)
    assert unverified == 2 * sum(world.mode(i) != "ok" for i in range(count)) > 0
    sample = next(a for a in answers if a["state"] == "absent")
    assert sample["url"] and sample["status"] and sample["fetched_at"] and sample["signal"]


def test_a_clean_check_exits_0_and_streams_a_table(
    env: Path, base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    healthy = [i for i in range(30) if world.mode(i) == "ok"][:6]
    data = json.loads(world.wmn_file(env / "all.json", 30, base).read_text())
    data["sites"] = [data["sites"][i] for i in healthy]
    (env / "few.json").write_text(json.dumps(data))
    assert run(["sites", "import", str(env / "few.json")]) == 0
    capsys.readouterr()
    assert run(_check(env, "check", world.ALICE)) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["handle", "where", "state", "http", "evidence"]
    assert len(lines) == 1 + len(healthy)
    present = [ln for ln in lines if " present " in ln]
    assert len(present) == sum(world.exists(i, world.ALICE) for i in healthy)
    assert "6 answers" in err


def test_self_check_degrades_blocked_sites_and_check_skips_them_until_they_heal(
    env: Path, base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["sites", "import", str(world.wmn_file(env / "w.json", 40, base))]) == 0
    capsys.readouterr()
    pace = ["--allow-private-network", "--config", str(env / "pace.toml")]
    code = run(["platforms", "check", "--only-sites", "--format", "json", *pace])
    assert code == 0  # unverified known accounts degrade; nothing read wrong
    report = json.loads(capsys.readouterr().out)
    ratings = {_index(r["site"]): r["rating"] for r in report}
    assert ratings == {i: "ok" if world.mode(i) == "ok" else "degraded" for i in range(40)}
    stored = load_sites(sites_path())
    degraded = {_index(s.id) for s in stored.sites if s.degraded}
    assert degraded == {0, 10, 20, 30}
    run(_check(env, "check", world.KNOWN, "--format", "jsonl"))
    out, err = capsys.readouterr()
    assert {_index(a["where"]) for a in _answers(out)} == set(range(40)) - degraded
    assert "4 degraded or disabled sites skipped" in err
    world.HEALED.update({0, 10})
    assert run(["platforms", "check", "--only-sites", *pace]) == 0
    assert {_index(s.id) for s in load_sites(sites_path()).sites if s.degraded} == {20, 30}


def test_a_known_account_reading_absent_breaks_the_site(
    env: Path, base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(world.wmn_file(env / "w.json", 2, base).read_text())
    data["sites"][1]["known"] = ["nobody42"]
    (env / "w.json").write_text(json.dumps(data))
    run(["sites", "import", str(env / "w.json")])
    pace = ["--allow-private-network", "--config", str(env / "pace.toml")]
    assert run(["platforms", "check", "--only-sites", *pace]) == 1
    out = capsys.readouterr().out
    assert "whatsmyname:Site 1" in out and "broken" in out and "reads absent" in out


def test_a_site_answering_present_for_any_name_breaks_and_check_skips_it(
    env: Path, base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A Sherlock status_code site whose pages answer 200 for every name (a soft 404): its known
    # account reads present, and so does a random name, which no one registered.
    healthy = [3, 4, 5]
    data = json.loads(world.sherlock_file(env / "all.json", 6, base).read_text())
    few = {f"Site {i}": data[f"Site {i}"] for i in healthy}
    assert few["Site 3"]["errorType"] == "status_code"
    (env / "few.json").write_text(json.dumps(few))
    world.SOFT_404.add(3)
    assert run(["sites", "import", str(env / "few.json")]) == 0
    capsys.readouterr()
    pace = ["--allow-private-network", "--config", str(env / "pace.toml")]
    code = run(["platforms", "check", "--only-sites", "--seed", "7", "--format", "json", *pace])
    report = {_index(r["site"]): r for r in json.loads(capsys.readouterr().out)}
    assert code == 1
    assert {i: r["rating"] for i, r in report.items()} == {3: "broken", 4: "ok", 5: "ok"}
    known, rand = report[3]["results"]
    assert (known["handle"], known["expected"], known["status"]) == (
        world.KNOWN,
        "present",
        "present",
    )
    assert (rand["expected"], rand["status"], rand["rating"]) == ("absent", "present", "broken")
    assert re.fullmatch(r"[a-z][a-z0-9]{11}", rand["handle"])
    assert "the site answers present for any name" in rand["problem"]
    assert [r["status"] for r in report[4]["results"]] == ["present", "absent"]
    stored = {_index(s.id): s.degraded for s in load_sites(sites_path()).sites}
    assert stored[4] is None and stored[5] is None
    assert stored[3] and stored[3].startswith(f"wrong verdict: random name {rand['handle']!r}")
    # The same seed draws the same random names.
    assert (
        run(["platforms", "check", "--only-sites", "--seed", "7", "--format", "json", *pace]) == 1
    )
    again = {_index(r["site"]): r for r in json.loads(capsys.readouterr().out)}
    assert again[3]["results"][1]["handle"] == rand["handle"]
    code = run(_check(env, "check", "nobody42", "--format", "jsonl"))
    out, err = capsys.readouterr()
    answers = _answers(out)
    assert code == 0, err
    assert {_index(a["where"]) for a in answers} == {4, 5}
    assert {a["state"] for a in answers} == {"absent"}
    assert "1 degraded or disabled site skipped" in err
    # With only the broken site stored, nothing is left to ask: never a clean "0 answers".
    (env / "one.json").write_text(json.dumps({"Site 3": few["Site 3"]}))
    path = sites_path()
    path.unlink()
    assert run(["sites", "import", str(env / "one.json")]) == 0
    assert run(["platforms", "check", "--only-sites", *pace]) == 1
    capsys.readouterr()
    assert run(_check(env, "check", "nobody42")) == 3
    assert (
        "nothing was asked: every imported site is degraded or disabled" in capsys.readouterr().err
    )


def test_a_self_check_that_reaches_no_site_is_incomplete_and_marks_none_degraded(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The sites' server is gone (a closed port on 127.0.0.1): no answer says anything about
    # any site, so nothing is marked degraded (discovery would skip them all) and it exits 3.
    with world.serve() as gone:
        path = world.wmn_file(env / "w.json", 5, gone)
    assert run(["sites", "import", str(path)]) == 0
    capsys.readouterr()
    pace = ["--allow-private-network", "--config", str(env / "pace.toml")]
    assert run(["platforms", "check", "--only-sites", *pace]) == 3
    err = capsys.readouterr().err
    # Two probes per site: its known account and a random name.
    assert "could not reach anything: all 10 probes ended in error" in err
    assert not [s for s in load_sites(sites_path()).sites if s.degraded]


def test_check_asks_the_built_in_platforms_by_default(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(load_world(example_world_path())) as sandbox:
        flags = [f for p, url in sandbox.endpoints().items() for f in ("--endpoint", f"{p}={url}")]
        args = ["check", "copperkettle", "--platform", "github", "--platform", "bluesky"]
        code = run([*args, "--format", "jsonl", *flags])
    answers = {a["where"]: a for a in _answers(capsys.readouterr().out)}
    assert set(answers) == {"github", "bluesky"}
    assert {a["state"] for a in answers.values()} <= {"present", "absent", "invalid"}
    assert code == 0


def test_check_asks_a_bare_name_in_each_form_the_platform_writes(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # "Where does copperkettlehq exist?": on Reddit that is a user and a community, on LinkedIn
    # a company page (a showcase page shares its vanity name); Mastodon needs an instance.
    with Sandbox(load_world(example_world_path())) as sandbox:
        flags = [f for p, url in sandbox.endpoints().items() for f in ("--endpoint", f"{p}={url}")]
        platforms = ["--platform", "reddit", "--platform", "linkedin", "--platform", "mastodon"]
        code = run(["check", "copperkettlehq", *platforms, "--format", "jsonl", *flags])
    answers = {(a["where"], a["handle"]): a["state"] for a in _answers(capsys.readouterr().out)}
    assert answers == {
        ("reddit", "r/copperkettlehq"): "present",
        ("reddit", "u/copperkettlehq"): "present",
        ("linkedin", "company/copperkettlehq"): "absent",
        ("mastodon", "copperkettlehq"): "invalid",
    }
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--sites", "x"], "no site list imported yet"),
        (["check", "", "--platform", "github"], "a HANDLE is empty"),
        (["check", "x", "--only-sites", "--platform", "github"], "drop --platform"),
        (["platforms", "check", "--only-sites"], "no site list imported yet"),
    ],
)
def test_bad_input_exits_2(
    env: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert run(args) == 2
    assert message in capsys.readouterr().err


def test_a_bad_list_exits_2_naming_site_and_key_and_stores_nothing(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(world.wmn_file(env / "w.json", 45, "https://x.example.test").read_text())
    data["sites"][41]["e_code"] = "200"
    (env / "w.json").write_text(json.dumps(data))
    assert run(["sites", "import", str(env / "w.json")]) == 2
    err = capsys.readouterr().err
    assert 'w.json: sites[41] "Site 41": e_code: expected an integer' in err
    assert "Traceback" not in err
    assert not sites_path().exists()
