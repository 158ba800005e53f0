"""Specs: every platform has one, they validate, and broken specs fail loudly with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import ValidationError
from scanner.model import Platform
from scanner.platforms import EXTRACTORS, SupportLevel, adapter_for, all_specs, capabilities
from scanner.platforms.interface import ContentKind
from scanner.platforms.specs import OBSERVATION_FIELDS, load_spec, load_spec_text

GOOD = """\
platform: github
name: GitHub
support: full
extractor: github
display_url: "https://github.com/{handle}"
handle: {regex: '[a-z]+', max_length: 10, separators: ["-"]}
probes:
  profile:
    url: "https://api.github.com/users/{handle}"
    content: json
    exists: [{status: 200, markers: ["json:login"]}]
    missing: [{status: 404, markers: ["json:message=Not Found"]}]
rate_limit: {concurrency: 2, min_interval: 0.5}
extracts: [display_name]
self_check: {present: [octocat, torvalds]}
launched: 2007-10-20
hosts: [github.com]
tokens: [{env: GITHUB_TOKEN, host: api.github.com, header: Authorization, scheme: Bearer}]
"""


def test_every_platform_has_a_valid_spec_and_adapter() -> None:
    specs = all_specs()
    for platform in Platform:
        spec = specs[platform]
        adapter = adapter_for(platform)
        assert adapter.spec is spec
        assert spec.extractor in EXTRACTORS
        assert capabilities(platform) == spec.extracts <= OBSERVATION_FIELDS
        profile = spec.probes["profile"]
        assert profile.exists and profile.missing
        for signal in (*profile.exists, *profile.missing):
            assert signal.statuses and signal.markers  # never a bare status code
        assert len(spec.self_check.present) >= 2


def test_every_support_level_and_content_kind_is_meaningful() -> None:
    used_levels = {s.support for s in all_specs().values()}
    assert used_levels == set(SupportLevel)
    kinds = {p.content for s in all_specs().values() for p in s.probes.values()}
    assert kinds | {ContentKind.ANY} == set(ContentKind)


@pytest.mark.parametrize("platform", list(Platform), ids=str)
def test_profile_url_and_parse_url_round_trip(platform: Platform) -> None:
    adapter = adapter_for(platform)
    for handle in adapter.spec.self_check.present:
        assert adapter.check_handle(handle) is None
        url = adapter.profile_url(handle)
        assert url.startswith("https://")
        parsed = adapter.parse_url(url)
        assert parsed is not None, (platform, url)
        assert adapter.check_handle(parsed) is None
    assert adapter.parse_url("https://example.com/nothing/here/at/all") is None


def test_handle_rules_messages_say_what_is_expected() -> None:
    x = adapter_for(Platform.X)
    problem = x.check_handle("copperkettle_official")
    assert problem is not None and "at most 15" in problem
    assert x.check_handle("@copperkettle") is None
    assert x.check_handle("   ") is not None
    mastodon = adapter_for(Platform.MASTODON)
    message = mastodon.check_handle("copperkettle")
    assert message is not None and "name@instance" in message
    assert adapter_for(Platform.REDDIT).check_handle("r/CopperKettleCoffee") is None
    linkedin = adapter_for(Platform.LINKEDIN)
    assert linkedin.check_handle("company/copper-kettle") is None
    assert linkedin.check_handle("showcase/kettle-labs") is None
    assert linkedin.profile_url("showcase/kettle-labs") == (
        "https://www.linkedin.com/showcase/kettle-labs/"
    )
    assert linkedin.parse_url("https://www.linkedin.com/showcase/kettle-labs/") == (
        "showcase/kettle-labs"
    )
    bare = linkedin.check_handle("copper-kettle")
    assert bare is not None and "company/SLUG or showcase/SLUG" in bare
    assert adapter_for(Platform.YOUTUBE).check_handle("UCcK7tWh0Les4LeRo4sTer2x") is None
    assert adapter_for(Platform.GITHUB).spec.handle.separators == ("-",)


def test_good_spec_loads() -> None:
    spec = load_spec_text(GOOD, "good.yaml", extractors=EXTRACTORS.keys())
    assert spec.platform is Platform.GITHUB
    assert spec.rate_limit.min_interval == 0.5


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("support: full", "support: fulll", 3, "expected one of full, partial, manual"),
        ("extractor: github", "extractor: githbu", 4, "did you mean 'github'"),
        (
            '    exists: [{status: 200, markers: ["json:login"]}]',
            "    exists: [{status: 200, markers: []}]",
            11,
            "a bare status code is never enough",
        ),
        (
            '    missing: [{status: 404, markers: ["json:message=Not Found"]}]\n',
            "",
            9,
            "missing required key 'missing'",
        ),
        ("rate_limit: {", "rate_limt: {", 13, "did you mean 'rate_limit'"),
        ('["json:login"]', '["jsn:login"]', 11, "unknown marker kind 'jsn'"),
        ("[a-z]+", "[a-z", 6, "bad regular expression"),
        ("extracts: [display_name]", "extracts: [display_nam]", 14, "did you mean 'display_name'"),
        ("present: [octocat, torvalds]", "present: [octocat]", 15, "at least two"),
        ('["json:login"]', '["!json:login"]', 11, "not negated"),
        ("launched: 2007-10-20", "launched: soon", 16, "launch date (YYYY-MM-DD)"),
        ("launched: 2007-10-20", "launched: 2007-10-20T10:00:00Z", 16, "launch date"),
        ('separators: ["-"]}', "separators: [\"-\"], name_part: '(?P<nom>.+)'}", 6, "(?P<name>"),
        ("[github.com]", '["https://github.com"]', 17, "expected a lower-case domain name"),
        ("[github.com]", "[]", 17, "non-empty list of the platform's domains"),
        # Every URL the spec builds must be covered, or an endpoint override would miss it.
        ("[github.com]", "[api.github.com]", 17, "display_url is on 'github.com'"),
        ("host: api.github.com", "host: api.example.com", 18, "not one of the spec's hosts"),
        ("env: GITHUB_TOKEN", "env: github-token", 18, "an environment variable NAME"),
        ("header: Authorization, ", "", 18, "missing required key 'header'"),
        ("header: Authorization", "header: 'X Key'", 18, "an HTTP header name"),
        ('separators: ["-"]}', 'separators: ["-"], prefix_use: require}', 6, "strip_prefix"),
        ('separators: ["-"]}', 'separators: ["-"], discovery_forms: ["r/"]}', 6, "one {name}"),
    ],
)
def test_bad_specs_name_file_line_and_expectation(
    old: str, new: str, line: int, message: str, tmp_path: Path
) -> None:
    assert old in GOOD
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_spec(path, extractors=EXTRACTORS.keys())
    problems = info.value.problems
    assert any(p.line == line and message in f"{p.message} {p.hint}" for p in problems), problems
    assert all(p.file == str(path) for p in problems)


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    text = GOOD.replace("support: full", "support: maybe").replace("name: GitHub", "nmae: GitHub")
    with pytest.raises(ValidationError) as info:
        load_spec_text(text, "two.yaml")
    assert len(info.value.problems) >= 3  # bad value, unknown key, missing 'name'
