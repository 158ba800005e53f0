"""Precision and recall of the name matcher over a hand-labelled set of name/handle pairs."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from scanner.matching import DEFAULT_THRESHOLDS, Matcher

DATA = Path(__file__).parent / "data" / "labelled_pairs.csv"


def _rows() -> list[dict[str, str]]:
    lines = [
        line
        for line in DATA.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="|"))


def test_labelled_set_is_large_and_covers_every_kind() -> None:
    rows = _rows()
    kinds = Counter(r["kind"] for r in rows)
    assert len(rows) >= 200
    for kind in (
        "homoglyph-cyrillic",
        "homoglyph-greek",
        "homoglyph-ascii",
        "typo",
        "affix",
        "separator",
        "common-word",
        "other-brand",
        "short-name",
    ):
        assert kinds[kind] >= 5, kind
    # Cyrillic and Greek rows really contain those scripts.
    assert all(
        any("\u0400" <= ch <= "\u04ff" for ch in r["candidate"])
        for r in rows
        if r["kind"] == "homoglyph-cyrillic"
    )
    assert all(
        any("\u0370" <= ch <= "\u03ff" for ch in r["candidate"])
        for r in rows
        if r["kind"] == "homoglyph-greek"
    )


def test_precision_and_recall_at_the_default_threshold(figures: list[str]) -> None:
    threshold = DEFAULT_THRESHOLDS["rogue_threshold"]
    groups: dict[str, list[dict[str, str]]] = {}
    for row in _rows():
        groups.setdefault(row["aliases"], []).append(row)
    tp = fp = fn = tn = 0
    misses: list[str] = []
    for aliases, rows in groups.items():
        matcher = Matcher.build(aliases.split(";"))
        best = matcher.best([r["candidate"] for r in rows])
        for row, score in zip(rows, best.scores, strict=True):
            predicted = int(score) >= threshold
            actual = row["label"] == "1"
            if predicted and actual:
                tp += 1
            elif predicted:
                fp += 1
                misses.append(
                    f"  false positive {int(score):3d} {row['candidate']!r} ({row['kind']})"
                )
            elif actual:
                fn += 1
                misses.append(
                    f"  false negative {int(score):3d} {row['candidate']!r} ({row['kind']})"
                )
            else:
                tn += 1
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    headline = (
        f"{tp + fp + fn + tn} pairs at threshold {threshold}: precision {precision:.3f}, "
        f"recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn}, tn {tn})"
    )
    figures.append(headline)
    figures.extend(misses)
    print(headline)
    assert precision >= 0.95
    assert recall >= 0.95
