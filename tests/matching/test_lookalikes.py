"""Lookalike generation: each fuzzer, platform rules, de-duplication, ranking and the cap."""

from __future__ import annotations

import re
from collections.abc import Callable

from scanner.matching import AFFIXES, PRIORITY, Fuzzer, HandleForm, base_names, fuzz_name, generate
from scanner.model import Platform


def _rule(pattern: str) -> Callable[[str], str | None]:
    compiled = re.compile(pattern)
    return lambda h: None if compiled.fullmatch(h) else f"expected {pattern}"


X_LIKE = HandleForm("", "", ("_",), _rule(r"[A-Za-z0-9_]{1,15}"))
GRAM_LIKE = HandleForm("", "", ("_", "."), _rule(r"[a-z0-9_.]{1,30}"))


def _variants(alias: str) -> dict[Fuzzer, set[str]]:
    name, words = base_names(alias)
    found: dict[Fuzzer, set[str]] = {}
    for fuzzer, variant, _ in fuzz_name(name, words):
        found.setdefault(fuzzer, set()).add(variant)
    return found


def test_every_fuzzer_produces_its_variants() -> None:
    v = _variants("Copper Kettle")
    expected = {
        Fuzzer.ORIGINAL: "copperkettle",
        Fuzzer.OMISSION: "coperkettle",
        Fuzzer.REPETITION: "coppperkettle",
        Fuzzer.TRANSPOSITION: "copperkettel",
        Fuzzer.REPLACEMENT: "copperkrttle",
        Fuzzer.INSERTION: "copperkerttle",
        Fuzzer.VOWEL_SWAP: "coppirkettle",
        Fuzzer.HOMOGLYPH: "c0pperkettle",
        Fuzzer.ADDITION: "copperkettle7",
        Fuzzer.PLURAL: "copperkettles",
        Fuzzer.SEPARATOR: "copper_kettle",
        Fuzzer.HYPHENATION: "copp.erkettle",
        Fuzzer.AFFIX: "copperkettle_official",
    }
    for fuzzer in Fuzzer:  # every member has an example
        assert expected[fuzzer] in v[fuzzer], fuzzer
    assert set(PRIORITY) == set(Fuzzer)


def test_homoglyphs_cover_the_ascii_pairs() -> None:
    assert {"rnomentum", "momenturn"} <= _variants("Momentum")[Fuzzer.HOMOGLYPH]
    assert {"wildvvood", "wi1dwood", "wlldwood", "wildwoo0"} & _variants("Wildwood")[
        Fuzzer.HOMOGLYPH
    ] >= {"wildvvood", "wi1dwood"}
    assert "wilclwood" in _variants("Wildwood")[Fuzzer.HOMOGLYPH]


def test_affixes_with_and_without_separators() -> None:
    affixed = _variants("Copper Kettle")[Fuzzer.AFFIX]
    for word in ("official", "hq", "support", "careers", "shop", "uk"):
        assert word in AFFIXES
        assert {f"copperkettle{word}", f"copperkettle_{word}", f"copperkettle.{word}"} <= affixed
    assert "thecopperkettle" in affixed and "copperkettlethe" not in affixed
    assert "copperkettleuk" in affixed and "ukcopperkettle" not in affixed


def test_platform_rules_filter_and_cap() -> None:
    result = generate(
        ["Copper Kettle Coffee Roasters", "Copper Kettle"],
        {Platform.X: [X_LIKE], Platform.INSTAGRAM: [GRAM_LIKE]},
        max_per_platform=400,
    )
    x = result[Platform.X]
    assert all(len(c.handle) <= 15 and "." not in c.handle for c in x)
    assert any("." in c.handle for c in result[Platform.INSTAGRAM])
    assert (
        len(generate(["Copper Kettle"], {Platform.X: [X_LIKE]}, max_per_platform=7)[Platform.X])
        == 7
    )


def test_dedupe_is_case_insensitive_and_excludes_known_handles() -> None:
    result = generate(
        ["Copper Kettle", "COPPER KETTLE", "CopperKettle"],
        {Platform.X: [X_LIKE]},
        max_per_platform=10_000,
        exclude={Platform.X: ["@CopperKettle", "copper_kettle"]},
    )
    handles = [c.handle.casefold() for c in result[Platform.X]]
    assert len(handles) == len(set(handles))
    assert "copperkettle" not in handles and "copper_kettle" not in handles


def test_forms_wrap_the_name() -> None:
    form = HandleForm("", "@mastodon.social", ("_",), _rule(r"[a-z0-9_]{1,30}@mastodon\.social"))
    result = generate(["Copper Kettle"], {Platform.MASTODON: [form]}, max_per_platform=5)
    assert all(c.handle.endswith("@mastodon.social") for c in result[Platform.MASTODON])


def test_ranking_puts_the_exact_name_and_homoglyphs_first_and_mixes_fuzzers() -> None:
    ranked = generate(["Copper Kettle"], {Platform.INSTAGRAM: [GRAM_LIKE]}, max_per_platform=30)[
        Platform.INSTAGRAM
    ]
    assert ranked[0].fuzzer is Fuzzer.ORIGINAL
    assert ranked[1].fuzzer is Fuzzer.HOMOGLYPH
    assert {c.fuzzer for c in ranked} == set(Fuzzer)
    assert "thecopperkettle" in [c.handle for c in ranked]
