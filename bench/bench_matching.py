"""Benchmark: classify 200k candidate names against 2k aliases and inventory names with the
matcher (normalization, confusable skeletons, one cdist per chunk, masks, argmax) and compare
with a raw ``rapidfuzz.process.cdist`` over the same arrays in the same process.

Run: ``.venv/bin/python bench/bench_matching.py [--candidates N] [--references M]``.
Prints both timings and their ratio (target: at most 1.5x).
"""

from __future__ import annotations

import argparse
import random
import string
import time

import numpy as np
from rapidfuzz import fuzz, process

from scanner.matching import Matcher

WORDS = [
    "copper",
    "kettle",
    "coffee",
    "roasters",
    "north",
    "wind",
    "traders",
    "lumina",
    "health",
    "acme",
    "tools",
    "vertice",
    "studio",
    "momentum",
    "labs",
    "wildwood",
    "outfitters",
    "blue",
    "harbor",
    "bank",
    "silver",
    "pine",
    "bakery",
    "river",
    "stone",
    "media",
    "bright",
    "loop",
    "agency",
    "summit",
    "peak",
    "fitness",
    "golden",
    "gate",
    "cafe",
    "iron",
    "forge",
    "works",
]
AFFIXES = ("official", "hq", "support", "shop", "uk", "us", "real", "the", "team", "news")
SEPARATORS = ("", "_", ".", "-", " ")
CONFUSABLE = {"o": "о", "a": "а", "e": "е", "c": "с", "p": "р"}  # Cyrillic lookalikes


def _name(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(1, 3))
    if rng.random() < 0.3:
        words.append(rng.choice(AFFIXES))
    text = rng.choice(SEPARATORS).join(words)
    roll = rng.random()
    if roll < 0.2:  # a typo
        i = rng.randrange(len(text))
        text = text[:i] + rng.choice(string.ascii_lowercase) + text[i + 1 :]
    elif roll < 0.3:  # a homoglyph
        text = "".join(CONFUSABLE.get(ch, ch) if rng.random() < 0.3 else ch for ch in text)
    if rng.random() < 0.2:
        text += str(rng.randint(0, 999))
    return text.title() if rng.random() < 0.3 else text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=200_000)
    parser.add_argument("--references", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--unique",
        action="store_true",
        help="make every candidate distinct (no repeated names for the matcher to share)",
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    candidates = [_name(rng) for _ in range(args.candidates)]
    if args.unique:
        candidates = [
            f"{c}{rng.choice(string.ascii_lowercase)}{i}" for i, c in enumerate(candidates)
        ]
    references: dict[str, None] = {}
    while len(references) < args.references:
        references[_name(rng)] = None

    matcher = Matcher.build(list(references))  # built once per organization, outside the timing
    refs = [r.text for r in matcher.references]
    print(f"{len(candidates):,} candidate names x {len(refs):,} reference names")

    # Warm both paths once (thread pools, lazy tables) on a small slice.
    process.cdist(candidates[:1000], refs, scorer=fuzz.ratio, dtype=np.uint8, workers=-1)
    matcher.best(candidates[:1000])

    start = time.perf_counter()
    raw = process.cdist(candidates, refs, scorer=fuzz.ratio, dtype=np.uint8, workers=-1)
    baseline = time.perf_counter() - start
    raw_best = raw.max(axis=1)
    del raw

    start = time.perf_counter()
    best = matcher.best(candidates)
    ours = time.perf_counter() - start

    brand_like = int((best.scores >= 85).sum())
    print(f"raw cdist (fuzz.ratio, uint8, workers=-1) over the raw names: {baseline:.2f} s")
    print(f"matcher.best (normalize + skeleton + cdist + masks + argmax): {ours:.2f} s")
    print(f"brand-like at 85: {brand_like:,}; raw max >= 85: {int((raw_best >= 85).sum()):,}")
    print(f"ratio: {ours / baseline:.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
