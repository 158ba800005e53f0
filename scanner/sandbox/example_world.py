"""`rollcall sandbox example-world`: a commented world file to start from, documented from the
loader's own key tables (world.py) and fault parameters (faults.py), so it cannot drift.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any, assert_never

import yaml

from scanner.sandbox.faults import FAULT_PARAMS, FaultKind
from scanner.sandbox.world import (
    ACCOUNT_KEYS,
    BUSINESS_KEYS,
    CREDENTIAL_KEYS,
    GITHUB_HOLDER_KEYS,
    HOLDER_KEYS,
    HOST_KEYS,
    POST_KEYS,
    TOP_KEYS,
)

__all__ = [
    "EXAMPLE_ACCOUNTS",
    "EXAMPLE_BUSINESS",
    "EXAMPLE_CREDENTIALS",
    "EXAMPLE_HOSTS",
    "describe_fault",
    "example_world_text",
]

AS_OF = date(2026, 11, 15)
WIDTH = 100
"""Comment lines are wrapped to this many characters."""


def _at(month: int, day: int, year: int = 2026) -> str:
    # A string: YAML's flow style would have to tag a datetime (`!!timestamp '…'`), and the
    # loader reads ISO text the same way.
    return f"{year:04d}-{month:02d}-{day:02d}T09:30:00Z"


# (what the entry shows, the entry): together they use every key the loader accepts and both
# ways of writing a fault (a test holds them to that).
EXAMPLE_ACCOUNTS: Sequence[tuple[str, Mapping[str, Any]]] = (
    (
        "an organization on GitHub: profile, links, counts, activity (a repost is not its own)",
        {
            "platform": "github",
            "handle": "example-bakery",
            "kind": "organization",
            "display_name": "Example Bakery",
            "bio": "Bread and pastry since 2011 · https://example-bakery.test",
            "links": ["https://example-bakery.test"],
            "followers": 1200,
            "following": 3,
            "verified": True,
            "created_at": datetime(2015, 3, 1, 10, 0, tzinfo=UTC),
            "posts": [
                {"at": _at(11, 10), "text": "Released the recipe scaler"},
                {"at": _at(10, 2), "text": "starred", "repost_of": "friends/sourdough"},
            ],
        },
    ),
    (
        "Bluesky: a pinned post stays on top whatever its date; the did an inventory may use",
        {
            "platform": "bluesky",
            "handle": "example-bakery.bsky.social",
            "did": "did:plc:examplebakery22222222222",
            "display_name": "Example Bakery",
            "links": ["https://example-bakery.test"],
            "posts": [
                {"at": _at(1, 5, 2025), "text": "Welcome! Orders open daily.", "pinned": True},
                {"at": _at(11, 12), "text": "Rye is back"},
            ],
        },
    ),
    (
        "a YouTube channel: its @handle and the channel id behind it",
        {
            "platform": "youtube",
            "handle": "@examplebakery",
            "channel_id": "UCexampleBakery000000000",
            "display_name": "Example Bakery",
            "created_at": date(2019, 6, 1),
            "hidden_followers": True,
            "posts": [{"at": _at(9, 20), "text": "Laminating dough, step by step"}],
        },
    ),
    (
        "Mastodon: name@instance; this one went quiet long ago",
        {
            "platform": "mastodon",
            "handle": "bakery@mastodon.example",
            "display_name": "Example Bakery",
            "posts": [{"at": _at(2, 14, 2024), "text": "Valentine's boxes sold out"}],
        },
    ),
    (
        "a Facebook Page and the Instagram account linked to it (Meta's Graph API shows both)",
        {
            "platform": "facebook",
            "handle": "examplebakery",
            "display_name": "Example Bakery",
            "followers": 640,
            "instagram": "examplebakery",
            "posts": [{"at": _at(11, 1), "text": "Open on Sundays from December"}],
            # Who holds the Page: a business user (email: in business_users, two_factor its
            # status), the business's system user, a person outside the business, an agency.
            "holders": [
                {
                    "id": "100200300400501",
                    "name": "Mia Baker",
                    "email": "mia@example-bakery.test",
                    "tasks": ["MANAGE", "CREATE_CONTENT"],
                    "two_factor": True,
                },
                {"kind": "system_user", "id": "100200300400502", "tasks": ["ANALYZE"]},
                {"id": "100200300400503", "name": "Sam Freelance", "tasks": ["CREATE_CONTENT"]},
                {"kind": "partner_business", "id": "100200300400504"},
            ],
        },
    ),
    (
        "a fan page the bakery's API credentials do not reach (Meta answers code 100)",
        {"platform": "instagram", "handle": "examplebakeryfans", "api_access": False},
    ),
    (
        "a suspended account: the platform's suspension page",
        {"platform": "x", "handle": "ExampleBakeryDeals", "state": "suspended"},
    ),
    (
        "faults on one account: Instagram shows its login wall (Rollcall: blocked, unverified)",
        {
            "platform": "instagram",
            "handle": "examplebakery",
            "display_name": "Example Bakery",
            "faults": ["login_wall"],
        },
    ),
    (
        "a fault with parameters: Reddit answers 429 asking to retry after 30 seconds",
        {
            "platform": "reddit",
            "handle": "u/examplebakery",
            "faults": [{"kind": "rate_limit", "retry_after": 30}],
        },
    ),
)

# The Business Manager behind the Meta token: its people, system users and partner businesses.
EXAMPLE_BUSINESS: Mapping[str, Any] = {
    "name": "Example Bakery",
    "users": [
        {
            "id": "100200300400505",
            "name": "Jo Owner",
            "email": "jo@example-bakery.test",
            "role": "ADMIN",
            "two_factor": False,
        }
    ],
    "system_users": [{"id": "100200300400502", "name": "Rollcall reader", "role": "EMPLOYEE"}],
    "agencies": [{"id": "100200300400504", "name": "Crumb & Co Agency"}],
}

EXAMPLE_HOSTS: Mapping[str, Mapping[str, Any]] = {
    "medium": {"faults": [{"kind": "latency", "ms": 250}]},
    "x-api": {"faults": [{"kind": "latency", "ms": 100}]},
}

# Owner-API tokens, together using every credential key (a test holds them to that).
EXAMPLE_CREDENTIALS: Sequence[Mapping[str, Any]] = (
    {
        "api": "meta-graph",
        "token": "example-meta-token",
        "expires_at": "2027-01-31T00:00:00Z",
        "scopes": ["pages_show_list", "pages_read_engagement", "instagram_basic"],
    },
    {
        "api": "x-api",
        "token": "example-x-token",
        "state": "revoked",
        "account": "ExampleBakeryDeals",
    },
    {"api": "youtube-api", "token": "example-youtube-key", "quota": 100},
)


def describe_fault(kind: FaultKind) -> str:
    """What the sandbox does under ``kind``, in a few words."""
    match kind:
        case FaultKind.LATENCY:
            return "answer after a delay"
        case FaultKind.RATE_LIMIT:
            return "answer 429 (or status) with the platform's rate-limit headers"
        case FaultKind.ENFORCE_RATE:
            return "allow per_second requests per window, then 429"
        case FaultKind.HTTP_5XX:
            return "answer status count times, then normally"
        case FaultKind.TIMEOUT:
            return "wait seconds before answering"
        case FaultKind.CONNECTION_RESET:
            return "drop the connection without an answer"
        case FaultKind.LOGIN_WALL:
            return "the platform's login page instead of the profile"
        case FaultKind.WAF_CHALLENGE:
            return "a bot-protection challenge page of vendor"
        case FaultKind.SOFT_404:
            return "200 with the platform's not-found page"
        case FaultKind.HTML_INSTEAD_OF_JSON:
            return "the web app's HTML shell where JSON is expected"
        case FaultKind.TRUNCATED_BODY:
            return "close the connection halfway through the body"
        case FaultKind.MALFORMED_BODY:
            return "a body cut short and ended with bytes no parser accepts"
        case FaultKind.HUGE_BODY:
            return "a body of bytes bytes"
        case FaultKind.GZIP_BOMB:
            return "a small gzip body that expands to expanded_bytes"
        case FaultKind.REDIRECT_LOOP:
            return "redirect back and forth forever"
        case FaultKind.REDIRECT_PRIVATE:
            return "redirect to target, a private address"
        case FaultKind.WRONG_ENCODING:
            return "declare one charset, send another"
        case _:
            assert_never(kind)


class _Dumper(yaml.SafeDumper):
    """Writes datetimes as the world files do (``2026-11-10T09:30:00Z``), not tagged."""


def _represent_datetime(dumper: yaml.SafeDumper, value: datetime) -> yaml.ScalarNode:
    text = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", text)


_Dumper.add_representer(datetime, _represent_datetime)


def _flow(value: Any) -> str:
    """``value`` as one line of YAML (flow style), the way the examples are written."""
    text: str = yaml.dump(
        value,
        Dumper=_Dumper,
        default_flow_style=True,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
    )
    return text.removesuffix("\n...\n").strip()


def _default(value: Any) -> str:
    return "null" if value is None else _flow(value)


def _table(title: str, rows: Sequence[tuple[str, str]]) -> list[str]:
    """``# title`` and one ``#   name  text`` row per entry, text wrapped under itself."""
    width = max(len(name) for name, _ in rows)
    lines = [f"# {title}"]
    for name, text in rows:
        lead = f"#   {name.ljust(width)}  "
        lines += textwrap.wrap(
            text,
            WIDTH,
            initial_indent=lead,
            subsequent_indent="#" + " " * (len(lead) - 1),
            break_on_hyphens=False,
        )
    return lines


def _fault_row(kind: FaultKind) -> tuple[str, str]:
    params = FAULT_PARAMS[kind]
    defaults = ", ".join(f"{n}={_default(p.default)}" for n, p in params.items())
    choices = [f"{n} is one of {', '.join(p.choices)}" for n, p in params.items() if p.choices]
    return kind.value, "; ".join(
        [describe_fault(kind), *([defaults] if defaults else []), *choices]
    )


_FLOW_ROWS = ("posts", "holders", "users", "system_users", "agencies")


def _block(value: Mapping[str, Any], indent: str) -> list[str]:
    """One mapping in block style, leaf lists and post mappings in flow style."""
    lines = []
    for key, item in value.items():
        if key in _FLOW_ROWS:
            lines.append(f"{indent}{key}:")
            lines += [f"{indent}  - {_flow(post)}" for post in item]
        elif isinstance(item, Mapping):
            lines.append(f"{indent}{key}:")
            lines += _block(item, indent + "  ")
        else:
            lines.append(f"{indent}{key}: {_flow(item)}")
    return lines


def example_world_text() -> str:
    """A world file that loads as it is, with every key and fault explained in comments."""
    lines = [
        "# A world for the Rollcall sandbox: the accounts `rollcall sandbox serve WORLD` plays on",
        "# 127.0.0.1 with each platform's real paths, statuses and body shapes. Written by",
        "# `rollcall sandbox example-world`; change it freely, the loader names any mistake with",
        "# its line.",
        "#",
        *_table("Top-level keys:", list(TOP_KEYS.items())),
        *_table("hosts.PLATFORM:", list(HOST_KEYS.items())),
        *_table("Each of accounts:", list(ACCOUNT_KEYS.items())),
        *_table("Each of accounts[].posts:", list(POST_KEYS.items())),
        *_table("Each of accounts[].holders:", list(HOLDER_KEYS.items())),
        *_table("Each of accounts[].holders on github:", list(GITHUB_HOLDER_KEYS.items())),
        *_table("business:", list(BUSINESS_KEYS.items())),
        *_table("Each of credentials:", list(CREDENTIAL_KEYS.items())),
        "#",
        "# Faults go under an account or hosts.PLATFORM, as a bare name (`login_wall`) or as a",
        "# mapping of kind and parameters (`{kind: latency, ms: 250}`); a parameter left out takes",
        "# its default.",
        *_table("Faults (parameter=default):", [_fault_row(k) for k in FaultKind]),
        "",
        f"name: {_flow('example-bakery')}",
        f"as_of: {AS_OF.isoformat()}",
        f"description: {_flow('A small bakery, to copy from')}",
        "",
        "# faults on every request to a platform or an owner API",
        "hosts:",
        *_block(EXAMPLE_HOSTS, "  "),
        "",
        "accounts:",
    ]
    for what, account in EXAMPLE_ACCOUNTS:
        body = _block(account, "    ")
        lines += ["", f"  # {what}", "  - " + body[0].lstrip(), *body[1:]]
    lines += ["", "# the Meta Business Manager behind the meta-graph token", "business:"]
    lines += _block(EXAMPLE_BUSINESS, "  ")
    lines += ["", "# the tokens the owner APIs accept; any other is unknown", "credentials:"]
    for credential in EXAMPLE_CREDENTIALS:
        body = _block(credential, "    ")
        lines += ["  - " + body[0].lstrip(), *body[1:]]
    return "\n".join(lines) + "\n"
