"""The TOML config file and FetchConfig validation: every problem with its file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.config import TIMEOUT_KEYS, build_fetch_config, load_config, parse_timeout_flags
from scanner.errors import SourceError, UsageError, ValidationError
from scanner.fetch import FetchConfig, HostLimits, Timeouts
from scanner.platforms import host_limits

GOOD = """\
contact_url = "https://copperkettle.coffee/security"
proxy = "http://proxy.internal:3128"
max_retries = 1
global_concurrency = 8

[endpoints]
github = "http://127.0.0.1:8080/github"
mastodon = "http://127.0.0.1:8080/mastodon/"

[timeouts]
connect = 2
read = 7.5

[limits.mastodon]
concurrency = 1
min_interval = 1.5

[limits.default]
concurrency = 3
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rollcall.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_fromenv")
    config = load_config(write(tmp_path, GOOD))
    assert config.contact_url == "https://copperkettle.coffee/security"
    assert config.user_agent.endswith("(+https://copperkettle.coffee/security)")
    assert config.proxy == "http://proxy.internal:3128"
    assert config.max_retries == 1 and config.global_concurrency == 8
    assert dict(config.endpoints) == {
        "github": "http://127.0.0.1:8080/github",
        "mastodon": "http://127.0.0.1:8080/mastodon",
    }
    assert config.timeouts == Timeouts(connect=2, read=7.5)
    assert config.host_limits["mastodon"] == HostLimits(concurrency=1, min_interval=1.5)
    # Unset keys keep the built-in limits: the fetcher's default, or the platform's spec.
    assert config.host_limits["default"] == HostLimits(concurrency=3, min_interval=0.25)
    assert config.tokens["GITHUB_TOKEN"] == "ghp_fromenv"
    assert "ghp_fromenv" not in repr(config)


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    text = """\
contact_ulr = "https://x.example"
max_retries = -1
github_token = "ghp_x"

[endpoints]
gihtub = "http://127.0.0.1:8080/github"
bluesky = "ftp://127.0.0.1/"

[timeouts]
reed = 3

[limits.mastodon]
concurrency = 0
"""
    with pytest.raises(ValidationError) as caught:
        load_config(write(tmp_path, text))
    got = {(p.line, p.message.split(":")[0]): p for p in caught.value.problems}
    assert set(got) == {
        (1, "contact_ulr"),
        (2, "max_retries"),
        (3, "github_token"),
        (6, "endpoints.gihtub"),
        (7, "endpoints.bluesky"),
        (10, "timeouts.reed"),
        (13, "limits.mastodon.concurrency"),
    }
    assert got[(1, "contact_ulr")].hint == "did you mean 'contact_url'?"
    assert got[(6, "endpoints.gihtub")].hint == "did you mean 'github'?"
    assert got[(10, "timeouts.reed")].hint == "did you mean 'read'?"
    assert "GITHUB_TOKEN" in (got[(3, "github_token")].hint or "")
    assert "at least 0" in got[(2, "max_retries")].message
    assert str(got[(7, "endpoints.bluesky")]).startswith(f"{tmp_path / 'rollcall.toml'}:7: ")


def test_toml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as caught:
        load_config(write(tmp_path, 'contact_url = "https://x"\nmax_retries = = 3\n'))
    (problem,) = caught.value.problems
    assert problem.line == 2 and problem.column is not None
    assert problem.message.startswith("not valid TOML")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="file not found"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(SourceError, match="is a folder"):
        load_config(tmp_path)
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'contact_url = "caf\xe9"\n')
    # Read like every other input: a located problem at the first bad byte.
    with pytest.raises(ValidationError, match="not valid UTF-8") as caught:
        load_config(bad)
    assert caught.value.problems[0].line == 1


def test_command_line_wins_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)
    config = build_fetch_config(
        path,
        endpoints={"github": "http://127.0.0.1:9999/gh"},
        allow_private_network=True,
        contact_url="mailto:security@copperkettle.coffee",
    )
    assert config.endpoints["github"] == "http://127.0.0.1:9999/gh"
    assert config.endpoints["mastodon"] == "http://127.0.0.1:8080/mastodon"
    assert config.allow_private_network
    assert config.contact_url == "mailto:security@copperkettle.coffee"
    assert config.proxy == "http://proxy.internal:3128"
    assert not build_fetch_config().allow_private_network
    with pytest.raises(UsageError, match="--endpoint github"):
        build_fetch_config(endpoints={"github": "127.0.0.1:8080"})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"endpoints": {"github": "not a url"}},
        {"endpoints": {"github": "http://127.0.0.1:8080/github?x=1"}},
        {"max_body_bytes": 0},
        {"max_retries": -1},
        {"global_concurrency": 0},
        {"max_decompression_ratio": 1},
    ],
)
def test_fetch_config_refuses_bad_values(kwargs: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        FetchConfig(**kwargs)  # type: ignore[arg-type]


def test_host_limits_validation() -> None:
    with pytest.raises(UsageError):
        HostLimits(concurrency=0)
    with pytest.raises(UsageError):
        HostLimits(min_interval=-1)


def test_a_partial_limits_table_keeps_the_specs_other_value(tmp_path: Path) -> None:
    spec = host_limits()["reddit"]
    config = load_config(write(tmp_path, "[limits.reddit]\nmin_interval = 9\n"))
    assert config.host_limits["reddit"] == HostLimits(spec.concurrency, 9)


# --------------------------------------------------------------------------- deadlines

DEADLINES = """\
[timeouts]
connect = 3
attempt = 12
account = 45.5
run = 600
max_wait = 0
"""


def test_deadlines_from_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, DEADLINES))
    assert config.timeouts == Timeouts(connect=3, attempt=12, account=45.5, run=600)
    assert config.max_rate_limit_wait == 0
    defaults = FetchConfig()
    assert (defaults.timeouts.attempt, defaults.timeouts.account) == (20, 60)
    assert defaults.timeouts.run is None and defaults.max_rate_limit_wait == 60


def test_bad_deadlines_are_each_reported_with_key_and_line(tmp_path: Path) -> None:
    text = """\
max_rate_limit_wait = 5

[timeouts]
attempt = 0
account = -1
run = "soon"
max_wait = -2
read = inf
acount = 3
"""
    with pytest.raises(ValidationError) as caught:
        load_config(write(tmp_path, text))
    got = {(p.line, p.message.split(":")[0]): p for p in caught.value.problems}
    assert set(got) == {
        (1, "max_rate_limit_wait"),
        (4, "timeouts.attempt"),
        (5, "timeouts.account"),
        (6, "timeouts.run"),
        (7, "timeouts.max_wait"),
        (8, "timeouts.read"),
        (9, "timeouts.acount"),
    }
    assert got[(1, "max_rate_limit_wait")].hint == "set max_wait in the [timeouts] table"
    assert got[(9, "timeouts.acount")].hint == "did you mean 'account'?"
    assert "above 0" in got[(4, "timeouts.attempt")].message


def test_timeout_flags_win_over_the_file(tmp_path: Path) -> None:
    flags = parse_timeout_flags(["5", "account=30", "max_wait=1.5"])
    assert flags == {"attempt": 5, "account": 30, "max_wait": 1.5}
    config = build_fetch_config(write(tmp_path, DEADLINES), timeouts=flags)
    assert config.timeouts == Timeouts(connect=3, attempt=5, account=30, run=600)
    assert config.max_rate_limit_wait == 1.5


@pytest.mark.parametrize(
    ("flag", "named"),
    [
        ("0", "--timeout attempt"),
        ("account=-3", "--timeout account"),
        ("run=soon", "--timeout run"),
        ("max_wait=nan", "--timeout max_wait"),
        ("acount=3", "'account'"),
    ],
)
def test_bad_timeout_flags_name_the_key(flag: str, named: str) -> None:
    with pytest.raises(UsageError, match=named):
        parse_timeout_flags([flag])


@pytest.mark.parametrize(
    "command",
    [
        ["audit", "inventories/copper-kettle.yaml"],
        ["observe", "inventories/copper-kettle.yaml"],
        ["discover", "inventories/copper-kettle.yaml"],
        ["review", "--inventory", "inventories/copper-kettle.yaml"],
        ["report", "orphans", "inventories/copper-kettle.yaml"],
        ["platforms", "check"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_fetching_command_takes_timeout_and_refuses_bad_values(
    command: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from scanner.cli.exitcodes import ExitCode
    from scanner.cli.main import run

    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    assert run([*command, "--timeout", "account=0"]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "--timeout account" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "kwargs",
    [{"attempt": 0.0}, {"account": -1.0}, {"run": 0.0}, {"read": float("inf")}],
)
def test_timeouts_refuse_bad_values(kwargs: dict[str, float]) -> None:
    with pytest.raises(UsageError, match=f"timeouts.{next(iter(kwargs))}"):
        Timeouts(**kwargs)


def test_fetch_config_refuses_a_negative_max_wait() -> None:
    with pytest.raises(UsageError, match="timeouts.max_wait"):
        FetchConfig(max_rate_limit_wait=-1)


def test_every_timeout_key_is_in_the_readme_config_section() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration: `rollcall.toml`", 1)[1].split("\n## ", 1)[0]
    for key in TIMEOUT_KEYS:
        assert f"{key} = " in section, key
