"""The TOML config file and FetchConfig validation: every problem with its file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.config import build_fetch_config, load_config
from scanner.errors import SourceError, UsageError, ValidationError
from scanner.fetch import FetchConfig, HostLimits, Timeouts

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
    assert config.tokens["github"] == "ghp_fromenv"
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
    with pytest.raises(SourceError, match="no such file"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes(b'contact_url = "caf\xe9"\n')
    with pytest.raises(SourceError, match="UTF-8"):
        load_config(bad)


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
    from scanner.observe import host_limits

    spec = host_limits()["reddit"]
    config = load_config(write(tmp_path, "[limits.reddit]\nmin_interval = 9\n"))
    assert config.host_limits["reddit"] == HostLimits(spec.concurrency, 9)
