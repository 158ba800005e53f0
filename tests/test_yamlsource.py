"""The line-aware YAML loader (issue 15): libyaml's events and the pure-Python parser's build the
same located values and refuse the same things; the input size limit is configurable."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner import yamlsource
from scanner.cli.main import run
from scanner.errors import Problem, ValidationError
from scanner.yamlsource import MAX_FILE_BYTES, MAX_FILE_BYTES_ENV, YList, YMap, load_yaml_text

PARSERS = [pytest.param(yaml.SafeLoader, id="pure-python")]
if yaml.__with_libyaml__:
    PARSERS.append(pytest.param(yaml.CSafeLoader, id="libyaml"))

DOCUMENTS = {
    "plain": "a: 1\nb: [x, {c: 2026-01-02}]\nd: yes\ne: ~\n",
    "merge": "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n",
    "merge-list": "a: &a {k: 1}\nb: &b {j: 2}\nm:\n  <<: [*a, *b, 3]\n",
    "duplicate": "a: 1\nb: 2\na: 3\n",
    "tags": "x: !!python/object:os.system {a: 1}\ny: !custom v\nz: !!binary aGk=\n",
    "bad-values": "d: 2026-02-30\nn: !!int nope\n",
    "alias-key": "k: &k name\n*k : v\n",
    "complex-key": "? [1, 2]\n: v\n",
}


def _located(value: Any) -> Any:
    """A loaded value with every line and column it carries, for comparing two loads."""
    if isinstance(value, YMap):
        return (
            "map",
            value.line,
            value.column,
            value.key_lines,
            {k: _located(v) for k, v in value.items()},
        )
    if isinstance(value, YList):
        return ("list", value.line, value.column, value.item_lines, [_located(v) for v in value])
    return repr(value)


def _load(text: str) -> tuple[Any, list[Problem]]:
    problems: list[Problem] = []
    try:
        return _located(load_yaml_text(text, "f.yaml", problems=problems)), problems
    except ValidationError as exc:
        return "refused", list(exc.problems)


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_both_parsers_build_the_same_located_values(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    results = []
    for parser in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        monkeypatch.setattr(yamlsource, "_Parser", parser)
        results.append(_load(DOCUMENTS[name]))
    assert results[0] == results[1]


@pytest.mark.parametrize("parser", PARSERS)
def test_located_values_problems_and_merges(parser: type, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlsource, "_Parser", parser)
    problems: list[Problem] = []
    text = DOCUMENTS["merge"] + DOCUMENTS["tags"] + "a: 1\na: 2\nd: 2026-02-30\n"
    data = load_yaml_text(text, "f.yaml", problems=problems)
    assert data["m"] == {"x": 1, "y": 3}
    assert data["m"].line_of("x") == 1  # a merged key points at its own definition
    assert data["m"].line_of("y") == 4
    assert data["x"] is yamlsource.INVALID and data["z"] == b"hi"
    messages = sorted((p.line, p.message.split(";")[0]) for p in problems)
    assert messages == [
        (5, "YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed"),
        (6, "YAML tag '!custom' is not allowed"),
        (9, "duplicate key 'a' (first defined on line 8)"),
        (10, "bad YAML value '2026-02-30': day is out of range for month"),
    ]


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        # aliases expanded through merge keys count as nodes too
        (
            "a: &a {" + ", ".join(f"k{i}: {i}" for i in range(3000)) + "}\n"
            "b: {<<: [*a, *a, *a, *a]}\n",
            "aliases expand to more than 10,000 nodes",
        ),
        ("a: " + "[" * 60 + "]" * 60 + "\n", "nest deeper than 50 levels"),
        ("a: &x " + "[" * 30 + "]" * 30 + "\nb: " + "[" * 30 + "*x" + "]" * 30 + "\n", "nest"),
        ("a: *nowhere\n", "found undefined alias 'nowhere'"),
        ("a: 1\n---\nb: 2\n", "but found another document"),
    ],
)
def test_hostile_documents_are_refused_by_both_parsers(
    parser: type, text: str, fragment: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(yamlsource, "_Parser", parser)
    with pytest.raises(ValidationError) as caught:
        load_yaml_text(text, "f.yaml")
    assert fragment in str(caught.value)


def test_default_size_limit_admits_a_hundred_thousand_accounts() -> None:
    # ~460 bytes an account with every field filled (bench/bench_load.py's generator: 480).
    assert MAX_FILE_BYTES >= 100_000 * 460


def test_size_limit_is_configurable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    inventory = tmp_path / "org.yaml"
    inventory.write_text("# a comment line that makes the file a little longer\n" * 40)
    monkeypatch.setenv(MAX_FILE_BYTES_ENV, "1_000")
    assert run(["validate", str(inventory)]) == 2
    assert "expected at most 1,000 bytes" in capsys.readouterr().err
    monkeypatch.setenv(MAX_FILE_BYTES_ENV, "lots")
    assert run(["validate", str(inventory)]) == 2
    assert f"{MAX_FILE_BYTES_ENV}='lots': expected a whole number" in capsys.readouterr().err
    monkeypatch.setenv(MAX_FILE_BYTES_ENV, "100000")
    assert run(["validate", str(inventory)]) == 2
    assert "file is empty" in capsys.readouterr().err  # read, then found to hold no data
