"""Lookalike handle generation in the spirit of dnstwist's fuzzers, adapted to social handles:
typos, ASCII homoglyphs, separators and a brand affix dictionary, per alias and platform, filtered
by each platform's handle rules, de-duplicated case-insensitively, ranked and capped.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from scanner.matching.normalize import REGION_CODES, compact_of, strip_accents
from scanner.model import Platform
from scanner.platforms import handle_key

__all__ = [
    "AFFIXES",
    "COMMON_REGIONS",
    "CORPORATE_AFFIXES",
    "PRIORITY",
    "Candidate",
    "Fuzzer",
    "HandleForm",
    "base_names",
    "fuzz_name",
    "generate",
    "organization_affixes",
]


class Fuzzer(enum.StrEnum):
    """Which transformation produced a candidate (dnstwist's fuzzer names where they exist)."""

    ORIGINAL = "original"
    OMISSION = "omission"
    REPETITION = "repetition"
    TRANSPOSITION = "transposition"
    REPLACEMENT = "replacement"
    INSERTION = "insertion"
    VOWEL_SWAP = "vowel-swap"
    HOMOGLYPH = "homoglyph"
    ADDITION = "addition"
    PLURAL = "plural"
    SEPARATOR = "separator"
    """The alias's words joined by a separator (``copper_kettle``)."""
    HYPHENATION = "hyphenation"
    """A separator at an inner position that is not a word boundary (``copp_erkettle``)."""
    AFFIX = "affix"


PRIORITY: tuple[Fuzzer, ...] = (
    Fuzzer.ORIGINAL,
    Fuzzer.HOMOGLYPH,
    Fuzzer.SEPARATOR,
    Fuzzer.AFFIX,
    Fuzzer.OMISSION,
    Fuzzer.TRANSPOSITION,
    Fuzzer.PLURAL,
    Fuzzer.REPETITION,
    Fuzzer.VOWEL_SWAP,
    Fuzzer.REPLACEMENT,
    Fuzzer.ADDITION,
    Fuzzer.INSERTION,
    Fuzzer.HYPHENATION,
)
"""Order in which fuzzers take turns when the per-platform cap is filled: the exact name and
what a reader cannot tell from it first, then what squatters register most (affixes), then
typos; within one fuzzer, candidates go by similarity."""


CORPORATE_AFFIXES: tuple[str, ...] = (
    "official",
    "real",
    "the",
    "hq",
    "support",
    "help",
    "shop",
    "store",
    "care",
    "team",
    "news",
    "jobs",
    "careers",
    "app",
    "global",
)
"""Words squatters (and the organization's own teams) put before or after a brand (dnstwist's
dictionary fuzzer, brand edition), most abused first: impostors pose as the official page, its
help desk (to collect order numbers and logins) and its shop (to take payments)."""

COMMON_REGIONS: tuple[str, ...] = (
    *("us", "uk", "ca", "au", "eu", "de", "fr", "es", "it", "nl", "in", "jp", "br", "mx"),
)
"""Country codes tried for every brand, after the organization's own words."""

AFFIXES: tuple[str, ...] = (*CORPORATE_AFFIXES, *COMMON_REGIONS)
"""The affixes used when the organization's own words are not known (see
:func:`organization_affixes`)."""

MAX_WORD = 15
"""Longer words from handles and departments are not affixes anyone types."""


def _words(text: str) -> list[str]:
    return [w for w in base_names(text)[1] if 2 <= len(w) <= MAX_WORD and w.isalpha()]


def organization_affixes(
    aliases: Sequence[str], handle_names: Iterable[str], departments: Iterable[str] = ()
) -> tuple[tuple[str, ...], frozenset[str]]:
    """The affixes to try for one organization, most likely first, and those that only go after
    the brand: the corporate words, then the organization's own words (what its inventoried
    handles add to the brand, ``pdx`` in ``copperkettlepdx``, country and region codes among
    them; its department names; the product words of its aliases, ``roasters`` in ``Copper
    Kettle Coffee Roasters``), then common country codes."""
    bases = sorted({base_names(a)[0] for a in aliases if base_names(a)[0]}, key=len)
    own: list[str] = []
    for handle in handle_names:
        name = base_names(handle)[0]
        for base in bases:
            at = name.find(base)
            if at >= 0:
                rest = name[:at] + " " + name[at + len(base) :]
                own.extend(w for w in rest.split() if w.isalpha() and 2 <= len(w) <= MAX_WORD)
                break
    for department in departments:
        words = _words(department)
        own.extend(words if len(words) == 1 else ["".join(words), *words])
    shortest = {w for a in aliases if bases and base_names(a)[0] == bases[0] for w in _words(a)}
    for alias in aliases:
        own.extend(w for w in _words(alias) if w not in shortest and w not in bases)
    ordered = tuple(dict.fromkeys([*CORPORATE_AFFIXES, *own, *COMMON_REGIONS]))
    suffix_only = frozenset(ordered) - frozenset(CORPORATE_AFFIXES)
    return ordered, suffix_only


_KEYBOARD_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard_neighbours() -> Mapping[str, str]:
    """QWERTY neighbours of each key: left, right and the keys above and below (dnstwist uses
    the same model for its replacement and insertion fuzzers)."""
    where = {ch: (r, c) for r, row in enumerate(_KEYBOARD_ROWS) for c, ch in enumerate(row)}
    result: dict[str, str] = {}
    for ch, (r, c) in where.items():
        near = []
        for dr, dc in ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)):
            rr, cc = r + dr, c + dc
            if 0 <= rr < len(_KEYBOARD_ROWS) and 0 <= cc < len(_KEYBOARD_ROWS[rr]):
                near.append(_KEYBOARD_ROWS[rr][cc])
        result[ch] = "".join(near)
    return result


KEYBOARD = _keyboard_neighbours()
VOWELS = "aeiou"
HOMOGLYPHS: tuple[tuple[str, str], ...] = (
    ("m", "rn"),
    ("rn", "m"),
    ("l", "1"),
    ("l", "i"),
    ("i", "l"),
    ("i", "1"),
    ("o", "0"),
    ("w", "vv"),
    ("vv", "w"),
    ("d", "cl"),
    ("cl", "d"),
)
"""dnstwist's ASCII homoglyphs; the Unicode ones cannot appear in handles."""
ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
SEPARATORS = ("_", ".", "-")


def base_names(alias: str) -> tuple[str, tuple[str, ...]]:
    """The alias as one lowercase ASCII word and as its words (``Copper Kettle`` →
    ``copperkettle``, ``(copper, kettle)``); accents removed, other characters dropped."""
    folded = strip_accents(unicodedata.normalize("NFKC", alias).casefold())
    words = tuple(w for w in re.split(r"[^a-z0-9]+", folded) if w)
    return "".join(words), words


def _homoglyphs(name: str) -> Iterator[tuple[Fuzzer, str]]:
    for source, target in HOMOGLYPHS:
        start = name.find(source)
        while start != -1:
            yield Fuzzer.HOMOGLYPH, name[:start] + target + name[start + len(source) :]
            start = name.find(source, start + 1)


def _typos(name: str) -> Iterator[tuple[Fuzzer, str]]:
    n = len(name)
    yield Fuzzer.PLURAL, name + "s"
    yield Fuzzer.PLURAL, name + "es"
    for i in range(n):
        yield Fuzzer.OMISSION, name[:i] + name[i + 1 :]
        if i + 1 < n and name[i] != name[i + 1]:
            yield Fuzzer.TRANSPOSITION, name[:i] + name[i + 1] + name[i] + name[i + 2 :]
        yield Fuzzer.REPETITION, name[: i + 1] + name[i] + name[i + 1 :]
        if name[i] in VOWELS:
            for vowel in VOWELS:
                if vowel != name[i]:
                    yield Fuzzer.VOWEL_SWAP, name[:i] + vowel + name[i + 1 :]
    for i in range(n):
        for key in KEYBOARD.get(name[i], ""):
            yield Fuzzer.REPLACEMENT, name[:i] + key + name[i + 1 :]
    for ch in ALNUM:
        yield Fuzzer.ADDITION, name + ch
    for i in range(n):
        for key in KEYBOARD.get(name[i], ""):
            yield Fuzzer.INSERTION, name[:i] + key + name[i:]
            yield Fuzzer.INSERTION, name[: i + 1] + key + name[i + 1 :]


PREFIX_ONLY = frozenset({"the", "real"})
"""Affixes that only read naturally before the brand (``thebrand``, never ``brandthe``);
region codes only go after it (``brand_uk``)."""


def fuzz_name(
    name: str,
    words: Sequence[str],
    separators: Iterable[str] = SEPARATORS,
    affixes: Sequence[str] = AFFIXES,
    suffix_only: frozenset[str] = REGION_CODES,
) -> Iterator[tuple[Fuzzer, str, int]]:
    """Every variant of one alias as (fuzzer, variant, rank), in :data:`PRIORITY` order:
    homoglyphs of the joined name, its words joined by each separator, each affix before and
    after with and without each separator, typos (omission, transposition, plural, repetition,
    vowel swap, keyboard replacement, addition, keyboard insertion), and a separator at every
    inner position. ``rank`` puts variants of shorter aliases first (the alias's length) and
    orders affixes word by word in dictionary order (each with every separator, after then
    before the name; ``suffix_only`` words, region codes and the organization's own words, only
    after it); variants of equal rank go by similarity. Duplicates are left to the caller."""
    seps = tuple(separators)
    base = len(name)
    yield Fuzzer.ORIGINAL, name, base
    for fuzzer, variant in _homoglyphs(name):
        yield fuzzer, variant, base
    if len(words) > 1:
        for sep in seps:
            yield Fuzzer.SEPARATOR, sep.join(words), base
    stems = [name] + [sep.join(words) for sep in seps if len(words) > 1]
    for stem_rank, stem in enumerate(stems):
        for affix_rank, affix in enumerate(affixes):
            for sep_rank, sep in enumerate(("", *seps)):
                # Word by word (brand_hq, brand.hq ... before brand_team), the joined name
                # before its separated forms, shorter aliases first.
                rank = ((min(stem_rank, 1) * 1000 + base) * 1000 + affix_rank) * 10 + sep_rank
                if affix not in PREFIX_ONLY:
                    yield Fuzzer.AFFIX, f"{stem}{sep}{affix}", rank
                if affix not in suffix_only:
                    yield Fuzzer.AFFIX, f"{affix}{sep}{stem}", rank + 5
    for fuzzer, variant in _typos(name):
        yield fuzzer, variant, base
    for sep in seps:
        for i in range(1, len(name)):
            yield Fuzzer.HYPHENATION, name[:i] + sep + name[i:], base


@dataclass(frozen=True)
class HandleForm:
    """How a platform writes handles around the name: ``prefix + name + suffix`` (``u/`` on
    Reddit, ``@`` on YouTube, ``company/`` on LinkedIn, ``.bsky.social`` on Bluesky,
    ``@instance`` on Mastodon), the separators it allows, and its rule check."""

    prefix: str
    suffix: str
    separators: tuple[str, ...]
    check: Callable[[str], str | None]

    def handle(self, name: str) -> str:
        return f"{self.prefix}{name}{self.suffix}"


@dataclass(frozen=True)
class Candidate:
    """One generated handle to probe: where it came from and how close it is to its alias."""

    platform: Platform
    handle: str
    name: str
    alias: str
    fuzzer: Fuzzer
    similarity: int
    order: int = 0
    """Rank from :func:`fuzz_name` (shorter aliases and earlier affixes first)."""


def _rank_key(c: Candidate) -> tuple[int, int, int, str]:
    return (c.order, -c.similarity, len(c.name), c.handle)


TURNS: Mapping[Fuzzer, int] = {Fuzzer.AFFIX: 10, Fuzzer.HOMOGLYPH: 2}
"""Candidates a fuzzer contributes per round (1 when not listed): affixes are what brand
squatters register most (the research notes, dnstwist's dictionary fuzzer)."""


def _interleave(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Best-first within each fuzzer, fuzzers taking turns in PRIORITY order (each taking
    TURNS[fuzzer] per round), so a cap keeps some of every kind instead of a hundred
    inner-separator variants."""
    groups: dict[Fuzzer, list[Candidate]] = {f: [] for f in PRIORITY}
    for c in candidates:
        groups[c.fuzzer].append(c)
    queues = {f: sorted(g, key=_rank_key) for f, g in groups.items() if g}
    position = dict.fromkeys(queues, 0)
    ordered: list[Candidate] = []
    while any(position[f] < len(q) for f, q in queues.items()):
        for fuzzer, queue in queues.items():
            take = TURNS.get(fuzzer, 1)
            ordered.extend(queue[position[fuzzer] : position[fuzzer] + take])
            position[fuzzer] += take
    return ordered


def generate(
    aliases: Sequence[str],
    forms: Mapping[Platform, Sequence[HandleForm]],
    *,
    max_per_platform: int,
    exclude: Mapping[Platform, Iterable[str]] | None = None,
    affixes: tuple[Sequence[str], frozenset[str]] = (AFFIXES, REGION_CODES),
) -> dict[Platform, tuple[Candidate, ...]]:
    """Lookalike candidates per platform, best first, at most ``max_per_platform`` each.

    Variants are checked against each platform's rules, de-duplicated case-insensitively
    (``exclude`` removes known handles, e.g. the inventory's own), and ranked by similarity of
    their confusable skeleton (separators dropped) to the alias within each fuzzer, the
    fuzzers taking turns in :data:`PRIORITY` order. ``affixes``: the words to try and those
    that only go after the brand (:func:`organization_affixes`).
    """
    variants: list[tuple[str, Fuzzer, str, int, int]] = []
    seen_names: set[str] = set()
    for alias in aliases:
        name, words = base_names(alias)
        if not name:
            continue
        target = compact_of(name)
        for fuzzer, variant, order in fuzz_name(name, words, SEPARATORS, *affixes):
            if variant in seen_names or not variant:
                continue
            seen_names.add(variant)
            similarity = round(fuzz.ratio(compact_of(variant), target))
            variants.append((variant, fuzzer, alias, similarity, order))

    result: dict[Platform, tuple[Candidate, ...]] = {}
    for platform, platform_forms in forms.items():
        known = {handle_key(platform, h) for h in (exclude or {}).get(platform, ())}
        chosen: dict[str, Candidate] = {}
        for form in platform_forms:
            allowed = set(form.separators)
            for variant, fuzzer, alias, similarity, order in variants:
                if any(sep in variant for sep in SEPARATORS if sep not in allowed):
                    continue
                handle = form.handle(variant)
                folded = handle_key(platform, handle)
                if folded in known or folded in chosen or form.check(handle) is not None:
                    continue
                chosen[folded] = Candidate(
                    platform, handle, variant, alias, fuzzer, similarity, order
                )
        result[platform] = tuple(_interleave(chosen.values())[:max_per_platform])
    return result
