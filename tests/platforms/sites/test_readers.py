"""Importing site lists: both formats read into the same normalized sites, every bad definition
is reported by file, site and key, and the stored list round-trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from scanner.errors import ValidationError
from scanner.platforms.sites import (
    Method,
    SiteFormat,
    SiteList,
    dump_sites,
    load_sites,
    merge_import,
    read_site_file,
    with_degraded,
)
from tests.platforms.sites import world

FIXTURES = Path(__file__).parent / "fixtures"


def test_whatsmyname_fixture_reads_every_signal() -> None:
    read = read_site_file(FIXTURES / "wmn-small.json")
    assert read.format is SiteFormat.WHATSMYNAME
    forum, pot, board = read.sites
    assert forum.id == "whatsmyname:Kettle Forum"
    assert forum.probe_url == "https://forum.example.test/api/users/{account}"
    assert forum.url == "https://forum.example.test/u/{account}"
    assert forum.exists.statuses == {200} and forum.exists.contains == ('"username":',)
    assert forum.missing[0].statuses == {404}
    assert forum.missing[0].contains == ('"error": "not_found"',)
    assert forum.known == ("steamer", "brewmaster") and forum.categories == ("social",)
    assert pot.headers == (("Accept", "text/html"),) and pot.protection == ("cloudflare",)
    assert board.disabled is not None and not board.usable  # valid: false


def test_sherlock_fixture_gets_conservative_exists_signals() -> None:
    read = read_site_file(FIXTURES / "sherlock-small.json")
    assert read.format is SiteFormat.SHERLOCK
    by_name = {s.name: s for s in read.sites}
    forum = by_name["Kettle Forum"]
    assert forum.url == "https://forum.example.test/u/{account}"
    assert forum.missing[0].statuses == {404, 410} and forum.missing[0].stay
    assert forum.exists.stay and forum.exists.weak and forum.handle_pattern
    pot = by_name["Code Pot"]
    assert pot.missing[0].contains == ("No such coder", "This page does not exist")
    assert pot.exists.lacks == pot.missing[0].contains
    tea = by_name["Tea Room"]
    assert tea.missing[0].final_url_prefix == "https://tearoom.example.test/not-found"
    box = by_name["Post Box"]
    assert box.method is Method.POST and box.body == '{"query": "{account}"}'
    assert box.probe_url == "https://api.postbox.example.test/lookup/{account}"
    assert box.missing[0].statuses == {410} and 410 not in box.exists.statuses


def _wmn(tmp_path: Path, sites: list[dict[str, Any]]) -> Path:
    path = tmp_path / "wmn-data.json"
    path.write_text(json.dumps({"license": [], "authors": [], "categories": [], "sites": sites}))
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        read_site_file(path)
    return [str(p) for p in caught.value.problems]


def test_every_bad_whatsmyname_definition_is_named_by_site_and_key(tmp_path: Path) -> None:
    good = world.wmn_site(0, "https://x.example.test")
    bad_code = {**good, "name": "Foo", "e_code": "200"}
    no_uri = {k: v for k, v in good.items() if k != "uri_check"} | {"name": "Bar"}
    typo = {**good, "name": "Baz", "e_strng": "x"}
    placeholder = {**good, "name": "Qux", "uri_check": "https://q.example.test/user"}
    same = {**good, "name": "Same", "m_code": 200, "m_string": good["e_string"]}
    path = _wmn(tmp_path, [good, bad_code, no_uri, typo, placeholder, same, "nope"])
    problems = _problems(path)
    where = str(path)
    assert (
        f"{where}: sites[1] \"Foo\": e_code: expected an integer, got a string ('200')" in problems
    )
    assert f'{where}: sites[2] "Bar": uri_check: missing (required)' in problems
    assert any('sites[3] "Baz": e_strng: unknown key' in p and "e_string" in p for p in problems)
    assert any(
        'sites[4] "Qux": uri_check: expected a URL containing {account}' in p for p in problems
    )
    assert any('sites[5] "Same": m_string: the missing signal equals' in p for p in problems)
    assert f"{where}: sites[6]: expected an object" in problems
    assert len(problems) == 6


def test_every_bad_sherlock_definition_is_named_by_site_and_key(tmp_path: Path) -> None:
    good = world.sherlock_site(1, "https://x.example.test")  # a message site
    data = {
        "Good": good,
        "NoMsg": {k: v for k, v in good.items() if k != "errorMsg"},
        "BadType": {**good, "errorType": "status_codes"},
        "BadRegex": {**good, "regexCheck": "^(a|aa)+$"},
        "BadCode": {**good, "errorType": "status_code", "errorCode": "404"},
        "NoUrl": {**world.sherlock_site(2, "https://x.example.test"), "errorUrl": ""},
    }
    path = tmp_path / "data.json"
    path.write_text(json.dumps(data))
    problems = _problems(path)
    assert f'{path}: "NoMsg": errorMsg: missing (required)' in problems
    assert any('"BadType": errorType: expected one of message' in p for p in problems)
    assert any('"BadRegex": regexCheck: ' in p and "backtracks" in p for p in problems)
    assert any('"BadCode": errorCode: expected an HTTP status code' in p for p in problems)
    assert f'{path}: "NoUrl": errorUrl: expected a non-empty string' in problems
    assert len(problems) == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"sites": [', "not valid JSON: Expecting value"),
        ("[1, 2]", "expected a WhatsMyName wmn-data.json"),
        ('{"a": 1}', "expected a WhatsMyName wmn-data.json"),
        ('{"sites": []}', "no site definitions found"),
    ],
)
def test_a_file_that_is_neither_format_is_refused(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "list.json"
    path.write_text(text)
    assert any(expected in p for p in _problems(path))


def test_generated_lists_of_real_size_import_whole(tmp_path: Path) -> None:
    wmn = read_site_file(world.wmn_file(tmp_path / "wmn.json", 700, "http://127.0.0.1:9"))
    sherlock = read_site_file(
        world.sherlock_file(tmp_path / "sherlock.json", 480, "http://127.0.0.1:9")
    )
    assert (len(wmn.sites), len(sherlock.sites)) == (700, 480)
    assert all(s.usable for s in (*wmn.sites, *sherlock.sites))
    # Correctness only: the timing is bench/bench_sites.py's (a ratio to json.load).
    merged = merge_import(SiteList(), wmn.format, wmn.sites, ("wmn.json", wmn.sha256, "t1"))
    merged = merge_import(merged, sherlock.format, sherlock.sites, ("s.json", "sha", "t2"))
    assert len(merged.sites) == 1180 and len(merged.sources) == 2


def test_the_stored_list_round_trips_and_reimport_keeps_degraded_marks(tmp_path: Path) -> None:
    read = read_site_file(FIXTURES / "sherlock-small.json")
    stored = merge_import(SiteList(), read.format, read.sites, ("data.json", read.sha256, "t"))
    stored = with_degraded(stored, {"sherlock:Code Pot": "known account unverified"})
    path = tmp_path / "sites.json"
    path.write_text(dump_sites(stored))
    loaded = load_sites(path)
    assert loaded == stored
    again = merge_import(loaded, read.format, read.sites, ("data.json", read.sha256, "t2"))
    assert again.by_id()["sherlock:Code Pot"].degraded == "known account unverified"
    wmn = read_site_file(FIXTURES / "wmn-small.json")
    both = merge_import(again, wmn.format, wmn.sites, ("wmn.json", wmn.sha256, "t3"))
    assert {s.format for s in both.sites} == {SiteFormat.SHERLOCK, SiteFormat.WHATSMYNAME}
    assert load_sites(tmp_path / "missing.json") == SiteList()


def test_a_damaged_store_is_bad_input_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "sites.json"
    path.write_text('{"format": "rollcall-sites", "version": 1, "sites": [{}]}')
    with pytest.raises(Exception, match="import the list again") as caught:
        load_sites(path)
    assert type(caught.value).__name__ == "InputError"
