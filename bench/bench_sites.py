"""Benchmark: importing site lists of real size (issue 14). A generated 700-site WhatsMyName
file and a 480-site Sherlock file (a quarter of its sites with a ``regexCheck``, each pattern
distinct, as in Sherlock's own list) are read, validated and normalized by
``read_site_file``, and the time is compared with a plain ``json.load`` of the same file
measured in the same process.

Run by hand: ``.venv/bin/python bench/bench_sites.py``. Target: each import under 2 s (the
issue's bound); the ratio to ``json.load`` says what validation costs on top of parsing.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scanner.platforms.sites import read_site_file

TARGET_SECONDS = 2.0
ROUNDS = 5


def wmn(count: int) -> dict[str, Any]:
    sites = [
        {
            "name": f"Site {i}",
            "uri_check": f"https://site{i}.example.test/api/users/{{account}}",
            "uri_pretty": f"https://site{i}.example.test/u/{{account}}",
            "headers": {"Accept": "application/json"} if i % 4 == 0 else {},
            "e_code": 200,
            "e_string": f'"profile-{i}":',
            "m_code": 404,
            "m_string": "User not found",
            "known": ["alice", "bob"],
            "cat": "social",
            **({"protection": ["cloudflare"]} if i % 10 == 0 else {}),
        }
        for i in range(count)
    ]
    return {
        "license": ["generated"],
        "authors": ["bench"],
        "categories": ["social"],
        "sites": sites,
    }


def sherlock(count: int) -> dict[str, Any]:
    data: dict[str, Any] = {"$schema": "data.schema.json"}
    for i in range(count):
        kind = ("status_code", "message", "response_url")[i % 3]
        site: dict[str, Any] = {
            "errorType": kind,
            "url": f"https://site{i}.example.test/{{}}",
            "urlMain": f"https://site{i}.example.test/",
            "username_claimed": "blue",
        }
        if kind == "message":
            site["errorMsg"] = [f"No user {i}", "Page not found"]
        if kind == "response_url":
            site["errorUrl"] = f"https://site{i}.example.test/404"
        if i % 4 == 0:
            site["regexCheck"] = f"^[a-zA-Z0-9_.-]{{{1 + i % 5},{20 + i}}}$"
        data[f"Site {i}"] = site
    return data


def best(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for name, data, count in (("WhatsMyName", wmn(700), 700), ("Sherlock", sherlock(480), 480)):
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(data, indent=2), encoding="utf-8")
            # The first import also pays the pattern checks that later rounds find cached: time
            # it alone, as a user's one import.
            start = time.perf_counter()
            sites = read_site_file(path).sites
            first = time.perf_counter() - start
            assert len(sites) == count
            imported = best(lambda p=path: read_site_file(p))
            plain = best(lambda p=path: json.loads(p.read_bytes()))
            ok = first < TARGET_SECONDS
            failed |= not ok
            print(
                f"{name:12} {count} sites, {path.stat().st_size / 1024:.0f} KiB: first import "
                f"{first * 1000:.1f} ms, best {imported * 1000:.1f} ms; json.load "
                f"{plain * 1000:.2f} ms; ratio {imported / plain:.1f}x "
                f"[{'ok' if ok else 'SLOW'}: target < {TARGET_SECONDS:g} s]"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
