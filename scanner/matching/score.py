"""Vectorized name similarity: every candidate name against every alias and inventoried name in
one ``rapidfuzz.process.cdist`` call over confusable-skeleton cores (no Python pair loops).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from scanner.matching.normalize import DEFAULT_STOP_WORDS, StopWords, cores
from scanner.model import Account, Platform
from scanner.platforms import name_part

__all__ = [
    "CHUNK_ROWS",
    "handle_name",
    "SHORT_NAME",
    "BestMatches",
    "Matcher",
    "RefKind",
    "Reference",
    "similarity",
]

SHORT_NAME = 5
"""A reference core shorter than this only matches exactly: one edit away from a four-letter
brand is another word (``acme`` / ``acne``), not a lookalike."""

GLUED_UP_TO = 8
"""References with cores shorter than this also match, exactly, with a stop-word glued on
(``acmeuk``, ``novahq``): for them a two-letter suffix costs more than the threshold allows,
and the normalizer cannot strip two-letter words glued to a name (``ie`` ends ``kettle``)."""

CHUNK_ROWS = 16_384
"""Rows per cdist call: bounds memory (rows × references bytes) while keeping calls large."""


class RefKind(enum.StrEnum):
    """What a reference name is: an organization alias, or an inventoried account's handle or
    display name."""

    ALIAS = "alias"
    HANDLE = "handle"
    DISPLAY_NAME = "display_name"


@dataclass(frozen=True)
class Reference:
    """One name candidates are compared with, and whose it is."""

    text: str
    kind: RefKind
    core: str
    account_id: str | None = None
    platform: Platform | None = None

    def describe(self) -> str:
        match self.kind:
            case RefKind.ALIAS:
                return f"the organization name {self.text!r}"
            case RefKind.HANDLE:
                return f"the handle {self.text!r} of inventoried account {self.account_id}"
            case RefKind.DISPLAY_NAME:
                return f"the display name {self.text!r} of inventoried account {self.account_id}"


@dataclass(frozen=True)
class BestMatches:
    """For each input name: the best score (0–100) and the index of the reference that gave it
    (-1 when nothing scored above zero)."""

    scores: npt.NDArray[np.uint8]
    index: npt.NDArray[np.intp]


def similarity(a: str, b: str) -> int:
    """Score of two already-normalized cores, the same measure the batch path uses."""
    if not a or not b:
        return 0
    if min(len(a), len(b)) < SHORT_NAME:
        return 100 if a == b else 0
    return round(fuzz.ratio(a, b))


@dataclass(frozen=True)
class Matcher:
    """The reference names of one organization, normalized once."""

    references: tuple[Reference, ...]
    stop_words: StopWords
    glued: Mapping[str, int] = field(default_factory=dict)
    """Short reference cores with a stop-word glued before or after → reference index."""

    @classmethod
    def build(
        cls,
        aliases: Iterable[str],
        accounts: Iterable[Account] = (),
        *,
        stop_words: Iterable[str] = DEFAULT_STOP_WORDS,
    ) -> Matcher:
        """References from the aliases (the organization name first) and from each account's
        handle and display name. Stop-words that are words of an alias are kept (a brand
        called "The Body Shop" keeps "the" and "shop")."""
        alias_list = [a for a in dict.fromkeys(aliases) if a.strip()]
        stops = StopWords.build(stop_words, keep=[w for a in alias_list for w in a.split()])
        raw: list[tuple[str, RefKind, str | None, Platform | None]] = [
            (a, RefKind.ALIAS, None, None) for a in alias_list
        ]
        for account in accounts:
            raw.append((account.handle, RefKind.HANDLE, account.id, account.platform))
            if account.display_name:
                raw.append(
                    (account.display_name, RefKind.DISPLAY_NAME, account.id, account.platform)
                )
        core_list = cores([_name_part(t, k, p) for t, k, _, p in raw], stops)
        refs = tuple(
            Reference(text, kind, core, account_id, platform)
            for (text, kind, account_id, platform), core in zip(raw, core_list, strict=True)
            if core
        )
        glued: dict[str, int] = {}
        for i, ref in enumerate(refs):
            if len(ref.core) < GLUED_UP_TO:
                for word in stops.all:
                    glued.setdefault(ref.core + word, i)
                    glued.setdefault(word + ref.core, i)
        return cls(refs, stops, glued)

    def cores(self, names: Sequence[str]) -> list[str]:
        return cores(names, self.stop_words)

    def best(self, names: Sequence[str], *, workers: int = -1) -> BestMatches:
        """Best reference for each name: one cdist per chunk of unique cores, a mask for
        short references, then a row-wise argmax; no Python loop over pairs."""
        count = len(names)
        scores = np.zeros(count, dtype=np.uint8)
        index = np.full(count, -1, dtype=np.intp)
        if count == 0 or not self.references:
            return BestMatches(scores, index)
        unique: dict[str, int] = {}
        positions = np.fromiter(
            (unique.setdefault(c, len(unique)) for c in self.cores(names)),
            dtype=np.intp,
            count=count,
        )
        keys = list(unique)
        ref_cores = [r.core for r in self.references]
        short = np.fromiter((len(c) < SHORT_NAME for c in ref_cores), dtype=bool)
        short_cols = np.flatnonzero(short)
        best_score = np.zeros(len(keys), dtype=np.uint8)
        best_index = np.full(len(keys), -1, dtype=np.intp)
        for start in range(0, len(keys), CHUNK_ROWS):
            chunk = keys[start : start + CHUNK_ROWS]
            matrix = process.cdist(
                chunk, ref_cores, scorer=fuzz.ratio, dtype=np.uint8, workers=workers
            )
            if short_cols.size:
                part = matrix[:, short_cols]
                matrix[:, short_cols] = np.where(part == 100, part, 0)
            arg = matrix.argmax(axis=1)
            top = matrix[np.arange(len(chunk)), arg]
            best_score[start : start + len(chunk)] = top
            best_index[start : start + len(chunk)] = np.where(top > 0, arg, -1)
        # A short *candidate* core (``ck``) only counts when equal, like a short reference.
        key_short = np.fromiter((len(k) < SHORT_NAME for k in keys), dtype=bool)
        best_score = np.where(key_short & (best_score < 100), 0, best_score).astype(np.uint8)
        best_index = np.where(best_score > 0, best_index, -1)
        if self.glued:
            hits = [(i, self.glued[k]) for i, k in enumerate(keys) if k in self.glued]
            if hits:
                rows, cols = (np.array(x, dtype=np.intp) for x in zip(*hits, strict=True))
                best_score[rows] = 100
                best_index[rows] = cols
        return BestMatches(best_score[positions], best_index[positions])


def _name_part(text: str, kind: RefKind, platform: Platform | None) -> str:
    """The name inside a handle (see :func:`handle_name`); other references are names already."""
    if kind is not RefKind.HANDLE or platform is None:
        return text
    return handle_name(platform, text)


def handle_name(platform: Platform, handle: str) -> str:
    """The name part of a handle as the platform's spec defines it (``u/brand`` → ``brand``,
    ``brand@mastodon.social`` → ``brand``, ``company/brand`` → ``brand``); empty for an opaque
    id (a YouTube channel id, a Bluesky DID), which no name can resemble."""
    return name_part(platform, handle) or ""
