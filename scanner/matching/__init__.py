"""Matching: confusables-aware normalization, lookalike handle generation, vectorized name
scoring and the classification of pages found outside the inventory."""

from __future__ import annotations

from scanner.matching.classify import (
    DEFAULT_THRESHOLDS,
    Evidence,
    LinkResolver,
    MatchContext,
    ProfileUrl,
    Thresholds,
    Verdict,
    classify_candidates,
    classify_observation,
    collect_evidence,
    decide,
)
from scanner.matching.lookalikes import (
    AFFIXES,
    PRIORITY,
    Candidate,
    Fuzzer,
    HandleForm,
    base_names,
    fuzz_name,
    generate,
)
from scanner.matching.normalize import (
    DEFAULT_STOP_WORDS,
    Normalized,
    StopWords,
    compact_of,
    confusables_version,
    core_of,
    cores,
    fold,
    normalize,
    skeleton,
)
from scanner.matching.score import BestMatches, Matcher, Reference, RefKind, handle_name, similarity

__all__ = [
    "AFFIXES",
    "DEFAULT_STOP_WORDS",
    "DEFAULT_THRESHOLDS",
    "PRIORITY",
    "BestMatches",
    "Candidate",
    "Evidence",
    "Fuzzer",
    "HandleForm",
    "LinkResolver",
    "MatchContext",
    "Matcher",
    "Normalized",
    "ProfileUrl",
    "RefKind",
    "Reference",
    "StopWords",
    "Thresholds",
    "Verdict",
    "base_names",
    "classify_candidates",
    "classify_observation",
    "collect_evidence",
    "compact_of",
    "confusables_version",
    "core_of",
    "cores",
    "decide",
    "fold",
    "fuzz_name",
    "generate",
    "handle_name",
    "normalize",
    "similarity",
    "skeleton",
]
