"""Normalization: NFKC, case folding, accents, the TR39 skeleton, separators, stop-words."""

from __future__ import annotations

import random
import string

import pytest

from scanner.matching import StopWords, confusables_version, core_of, cores, normalize, skeleton
from scanner.matching.normalize import _skeleton_words, _skeleton_words_slow


def test_tr39_skeleton_uses_unicode_data() -> None:
    assert skeleton("p\u0430ypal") == "paypal"  # CYRILLIC SMALL LETTER A
    assert skeleton("m") == "rn"  # TR39 maps m to rn, so both spellings collide
    assert skeleton("0") == "O"
    assert confusables_version().count(".") == 2


@pytest.mark.parametrize(
    "text",
    [
        "Сopper Кettle",  # Cyrillic capitals ES and KA
        "Cοpper Kettle",  # Greek omicron
        "Copper Κettle",  # Greek capital kappa
        "𝐂𝐨𝐩𝐩𝐞𝐫 𝐊𝐞𝐭𝐭𝐥𝐞",  # mathematical bold
        "Ｃｏｐｐｅｒ Ｋｅｔｔｌｅ",  # fullwidth
        "Cöpper Kéttle",  # accents
        "COPPER_KETTLE",
        "copper.kettle",
        "c0pper-kett1e",
        "@copperkettIe",
    ],
)
def test_lookalike_spellings_share_one_compact_form(text: str) -> None:
    assert normalize(text).compact == normalize("copperkettle").compact


def test_raw_form_is_kept_beside_the_normalized_ones() -> None:
    n = normalize("Cоpper Kettle (Official)")
    assert n.raw == "Cоpper Kettle (Official)"
    assert n.folded == "cоpper kettle official"  # readable: Cyrillic o is kept here
    assert n.skeleton == normalize("COPPER KETTLE OFFICIAL").skeleton
    assert n.words == tuple(n.skeleton.split())
    assert n.audience == "copperkettle"
    assert n.core == "copperkettle"


def test_stop_words_removed_as_words_and_as_glued_affixes() -> None:
    assert core_of("thecopperkettle_official") == "copperkettle"
    assert core_of("copperkettlesupport") == "copperkettle"
    assert core_of("Copper Kettle UK") == "copperkettle"
    # Glued two-letter codes stay: skeleton "ie" is "le", the end of "kettle".
    assert core_of("copperkettle") == "copperkettle"
    assert core_of("copperkettleuk") == "copperkettleuk"


def test_audience_words_survive_in_the_audience_form() -> None:
    n = normalize("Copper Kettle Support UK")
    assert n.audience == "copperkettlesupportuk"
    assert n.core == "copperkettle"


def test_stripping_never_leaves_a_stub() -> None:
    assert core_of("the shop") == "shop"
    assert core_of("theapp") == "theapp"


def test_alias_words_are_not_stop_words_for_that_organization() -> None:
    stops = StopWords.build(keep=["The", "Body", "Shop"])
    assert normalize("The Body Shop", stops).core == "thebodyshop"
    assert normalize("The Body Shop").core == "body"


def test_ascii_fast_path_matches_the_unicode_path() -> None:
    rng = random.Random(7)
    alphabet = string.printable + "vvcliIMm01"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        assert _skeleton_words(text) == _skeleton_words_slow(text), repr(text)


def test_batch_cores_equal_single_cores() -> None:
    names = ["Cоpper Kettle", "copper_kettle_hq", "%copper", "x", "", "The Real Copper Kettle"]
    assert cores(names) == [core_of(n) for n in names]
