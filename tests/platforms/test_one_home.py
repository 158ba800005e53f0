"""One home per platform: a platform's host names (its spec's ``hosts``, its owner API's
``api.hosts`` and the hosts of its probe URLs) are written in its spec file and nowhere else in
the package (the sandbox, which plays the platforms, aside). Everything else derives them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import scanner
from scanner.model import Platform
from scanner.platforms import all_specs, spec_for
from scanner.platforms.specs import template_host

PACKAGE = Path(scanner.__file__).parent
SPECS = PACKAGE / "platforms" / "specs"
SKIPPED = (PACKAGE / "sandbox",)


def platform_hosts(platform: Platform) -> set[str]:
    spec = spec_for(platform)
    hosts = {h for h in spec.hosts if h != "*"}
    if spec.api is not None:
        hosts.update(spec.api.hosts)  # the owner API's hosts live in the spec that declares it
    for probe in spec.probes.values():
        host = template_host(probe.url)
        if host and not host.startswith("."):  # "{blog}.tumblr.com" is covered by its domain
            hosts.add(host)
    return hosts


def host_pattern(host: str) -> re.Pattern[str]:
    """The host or any subdomain of it, written plainly or as a regex (``x\\.com``), but not a
    longer name that merely ends the same (``box.com`` is not ``x.com``)."""
    dotted = re.escape(host).replace(r"\.", r"\\?\.")
    return re.compile(rf"(?<![A-Za-z0-9-]){dotted}(?![A-Za-z0-9-])", re.IGNORECASE)


def package_files() -> Iterator[tuple[Path, str]]:
    for path in sorted(PACKAGE.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if any(path.is_relative_to(skipped) for skipped in SKIPPED):
            continue
        try:
            yield path, path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary data names no host


def leaks(platform: Platform) -> list[str]:
    home = SPECS / f"{platform.value}.yaml"
    found = []
    for host in sorted(platform_hosts(platform)):
        pattern = host_pattern(host)
        for path, text in package_files():
            if path == home:
                continue
            for m in pattern.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                found.append(f"{path.relative_to(PACKAGE)}:{line}: {m.group(0)}")
    return found


@pytest.mark.parametrize("platform", list(Platform), ids=str)
def test_a_platforms_hosts_live_only_in_its_spec(platform: Platform) -> None:
    # Mastodon is federated ("*"): no host of its own to keep in one place.
    assert platform_hosts(platform) or spec_for(platform).hosts == ("*",)
    assert leaks(platform) == []


def test_the_matcher_sees_subdomains_and_regexes_not_longer_names() -> None:
    pattern = host_pattern("x.com")
    assert pattern.search('URL = "https://api.x.com/2/users"')
    assert pattern.search(r"re.compile(r'^https://x\.com/')")
    assert not pattern.search("https://dropbox.com/x")
    assert not pattern.search("https://x.community/")
    assert {h for s in all_specs().values() for h in s.hosts} >= {"github.com", "*"}
