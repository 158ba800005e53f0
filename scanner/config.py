"""The Rollcall config file (TOML, e.g. ``rollcall.toml``): fetch settings that are tedious on
the command line. Command-line flags win over the file; tokens only ever come from the
environment.

    contact_url = "https://copperkettle.coffee/security"
    proxy = "http://proxy.internal:3128"
    allow_private_network = false
    max_retries = 3

    [endpoints]
    github = "http://127.0.0.1:8080/github"

    [timeouts]
    connect = 5
    read = 15
    attempt = 20      # one request, connect to last byte
    account = 60      # all of one account's requests, retries included
    max_wait = 60     # Retry-After in total per host; the longest rate-limit window waited

    [limits.mastodon]
    concurrency = 2
    min_interval = 1.0

    [apis.meta-graph]
    version = "v25.0"     # owner-API versions (the specs give the defaults)

    [credentials.emea-meta]
    api = "meta-graph"    # a named credential: accounts say `credential: emea-meta`
    env = "EMEA_META_TOKEN"   # the variable that holds it; never the secret itself
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from scanner.errors import Problem, UsageError, ValidationError, did_you_mean
from scanner.fetch.config import (
    DEFAULT_HOST_LIMITS,
    FetchConfig,
    HostLimits,
    TokenSource,
    check_endpoint,
)
from scanner.inputfile import read_input, too_deep_line
from scanner.inventory.loader import CREDENTIAL_NAME
from scanner.model import Platform
from scanner.platforms import (
    api_specs,
    host_limits,
    platform_fetch_config,
    token_env_names,
    token_sources,
)
from scanner.platforms.api import Api
from scanner.yamlsource import MAX_DEPTH, decode_text

__all__ = [
    "MAX_CONFIG_BYTES",
    "TIMEOUT_KEYS",
    "build_fetch_config",
    "load_config",
    "parse_timeout_flags",
    "with_timeouts",
]

MAX_CONFIG_BYTES = 1024 * 1024

_PLATFORMS = [*(p.value for p in Platform), *(a.value for a in Api)]
"""Names an endpoint override or a limit applies to: platforms and owner-API endpoints."""
_APIS = [a.value for a in Api]
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


def _positive_int(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return f"expected a whole number of at least 1, got {value!r}"
    return None


def _count(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return f"expected a whole number of at least 0, got {value!r}"
    return None


def _seconds(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        return f"expected a number of seconds (0 or more), got {value!r}"
    return None


def _duration(value: Any) -> str | None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (value > 0 and math.isfinite(value))
    ):
        return f"expected a number of seconds above 0, got {value!r}"
    return None


def _wait(value: Any) -> str | None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not (value >= 0 and math.isfinite(value))
    ):
        return f"expected a number of seconds (0 or more), got {value!r}"
    return None


def _ratio(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 1:
        return f"expected a number above 1, got {value!r}"
    return None


def _flag(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {value!r}"


def _url(value: Any) -> str | None:
    if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
        return f"expected an http(s) URL, got {value!r}"
    return None


def _proxy(value: Any) -> str | None:
    if not isinstance(value, str) or not re.match(r"^(https?|socks5h?)://[^\s/]+", value):
        return f"expected a proxy URL (http://, https:// or socks5://), got {value!r}"
    return None


Check = Callable[[Any], str | None]

TOP_LEVEL: Mapping[str, Check] = {
    "contact_url": _url,
    "proxy": _proxy,
    "allow_private_network": _flag,
    "max_body_bytes": _positive_int,
    "max_decompression_ratio": _ratio,
    "max_redirects": _count,
    "max_retries": _count,
    "backoff_base": _seconds,
    "backoff_max": _seconds,
    "global_concurrency": _positive_int,
}
MOVED: Mapping[str, str] = {"max_rate_limit_wait": "max_wait in the [timeouts] table"}
TABLES = ("endpoints", "timeouts", "limits", "apis", "credentials")
TIMEOUT_KEYS: Mapping[str, Check] = {
    "attempt": _duration,
    "account": _duration,
    "run": _duration,
    "max_wait": _wait,
    "connect": _duration,
    "read": _duration,
    "write": _duration,
    "pool": _duration,
}
"""The ``[timeouts]`` table and ``--timeout NAME=SECONDS``: one vocabulary for both. Every key
but ``max_wait`` is a :class:`Timeouts` field; ``max_wait`` is ``FetchConfig.max_rate_limit_wait``."""
LIMIT_KEYS: Mapping[str, Check] = {"concurrency": _positive_int, "min_interval": _seconds}


class _Located:
    """Finds the line of a key in TOML text (tomllib keeps no positions)."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self._lines = text.splitlines()

    def line(self, table: tuple[str, ...], key: str | None = None) -> int | None:
        current: tuple[str, ...] = ()
        header_line: int | None = None
        for number, raw in enumerate(self._lines, start=1):
            stripped = raw.strip()
            header = re.match(r"^\[\s*([^\[\]]+?)\s*\]", stripped)
            if header:
                current = tuple(p.strip().strip("\"'") for p in header.group(1).split("."))
                if current == table and key is None:
                    return number
                if current == table:
                    header_line = number
                continue
            if key is not None and current == table:
                match = re.match(r"^[\"']?([A-Za-z0-9_.-]+)[\"']?\s*=", stripped)
                if match and match.group(1) == key:
                    return number
        return header_line

    def problem(
        self, table: tuple[str, ...], key: str | None, message: str, hint: str | None = None
    ) -> Problem:
        where = ".".join((*table, key) if key else table)
        return Problem(self.path, self.line(table, key), None, f"{where}: {message}", hint)


def _unknown(
    located: _Located, table: tuple[str, ...], key: str, known: list[str], what: str
) -> Problem:
    hint = did_you_mean(key, known) or f"expected one of: {', '.join(known)}"
    return located.problem(table, key, f"unknown {what}", hint)


def _check_table(
    located: _Located,
    table: tuple[str, ...],
    data: Any,
    checks: Mapping[str, Check],
    problems: list[Problem],
) -> dict[str, Any]:
    if not isinstance(data, dict):
        problems.append(located.problem(table, None, "expected a table"))
        return {}
    good: dict[str, Any] = {}
    for key, value in data.items():
        if key not in checks:
            problems.append(_unknown(located, table, key, list(checks), "key"))
            continue
        message = checks[key](value)
        if message:
            problems.append(located.problem(table, key, message))
        else:
            good[key] = value
    return good


def load_config(path: str | Path) -> FetchConfig:
    """Read a TOML config file into a :class:`FetchConfig` (tokens from the environment).

    Raises SourceError when the file cannot be read and ValidationError listing every problem
    with its file:line.
    """
    name = str(path)
    # Never opens a pipe or a device; names the kind of path that is not a file.
    text = decode_text(read_input(path, max_bytes=MAX_CONFIG_BYTES), name)
    # tomllib recurses once per nested array or inline table: bound it before parsing.
    deep = too_deep_line(text, MAX_DEPTH)
    if deep is not None:
        raise ValidationError.single(
            name, deep, f"arrays and tables nest deeper than {MAX_DEPTH} levels; expected settings"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        line, column = (int(where.group(1)), int(where.group(2))) if where else (None, None)
        raise ValidationError([Problem(name, line, column, f"not valid TOML: {message}")]) from exc
    return _build(_Located(name, text), data)


def _build(located: _Located, data: dict[str, Any]) -> FetchConfig:
    problems: list[Problem] = []
    settings = _settings(located, data, problems)
    endpoints = _endpoints(located, data.get("endpoints", {}), problems)
    timeouts = _check_table(
        located, ("timeouts",), data.get("timeouts", {}), TIMEOUT_KEYS, problems
    )
    limits = _limits(located, data.get("limits", {}), problems)
    versions = _versions(located, data.get("apis", {}), problems)
    named = _credentials(located, data.get("credentials", {}), problems)
    if problems:
        raise ValidationError(problems)
    sources = dict(token_sources())
    for source_api, source in named:
        sources[source_api] = (*sources.get(source_api, ()), source)
    config = platform_fetch_config(
        endpoints=endpoints,
        host_limits=limits,
        token_sources=sources,
        api_versions=versions,
        **settings,
    )
    return with_timeouts(config, timeouts)


def _versions(located: _Located, raw: object, problems: list[Problem]) -> dict[str, str]:
    """``[apis.<endpoint>]``: ``version`` (Meta Graph's ``v25.0``, LinkedIn's ``202601``)."""
    versions: dict[str, str] = {}
    if not isinstance(raw, dict):
        problems.append(located.problem(("apis",), None, "expected a table"))
        return versions
    for api, table in raw.items():
        if api not in _APIS:
            problems.append(_unknown(located, ("apis",), api, _APIS, "API"))
            continue
        values = _check_table(located, ("apis", api), table, {"version": _version}, problems)
        if "version" in values:
            versions[api] = values["version"]
    return versions


def _version(value: Any) -> str | None:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9.]{1,20}", value):
        return f"expected an API version such as v25.0 or 202601, got {value!r}"
    return None


def _credential_env(value: Any) -> str | None:
    if not isinstance(value, str) or not _ENV_NAME.fullmatch(value):
        return f"expected the NAME of an environment variable (never the secret), got {value!r}"
    return None


def _credential_api(value: Any) -> str | None:
    if value not in _APIS:
        return f"expected one of {', '.join(_APIS)}, got {value!r}"
    return None


def _credentials(
    located: _Located, raw: object, problems: list[Problem]
) -> list[tuple[str, TokenSource]]:
    """``[credentials.<name>]``: ``api`` and ``env`` (the variable holding the secret); sent
    like the API's default credential, to the same host, as the same header."""
    named: list[tuple[str, TokenSource]] = []
    if not isinstance(raw, dict):
        problems.append(located.problem(("credentials",), None, "expected a table"))
        return named
    checks = {"api": _credential_api, "env": _credential_env}
    for name, table in raw.items():
        where = ("credentials", name)
        if not CREDENTIAL_NAME.fullmatch(name):
            message = "expected a name of lower-case letters, digits, '-' or '_' (emea-meta)"
            problems.append(located.problem(("credentials",), name, message))
            continue
        values = _check_table(located, where, table, checks, problems)
        if isinstance(table, dict) and not all(k in table for k in checks):
            problems.append(located.problem(where, None, "expected both api and env"))
        if "api" not in values or "env" not in values:
            continue
        default = api_specs()[Api(values["api"])].token
        if default is None:  # every declared API has one: a packaging bug otherwise
            raise RuntimeError(f"API {values['api']} declares no token")
        source = TokenSource(values["env"], default.host, default.header, default.scheme, name)
        named.append((values["api"], source))
    return named


def _settings(located: _Located, data: dict[str, Any], problems: list[Problem]) -> dict[str, Any]:
    """The top-level settings that check out; moved, token and unknown keys reported."""
    settings: dict[str, Any] = {}
    token_envs = ", ".join(token_env_names())
    for key, value in data.items():
        if key in TOP_LEVEL:
            message = TOP_LEVEL[key](value)
            if message:
                problems.append(located.problem((), key, message))
            else:
                settings[key] = value
        elif key in MOVED:
            problems.append(
                located.problem((), key, "no longer a top-level setting", f"set {MOVED[key]}")
            )
        elif "token" in key.lower():
            problems.append(
                located.problem(
                    (),
                    key,
                    "tokens are never read from files",
                    f"set the environment variable instead ({token_envs})",
                )
            )
        elif key not in TABLES:
            problems.append(_unknown(located, (), key, [*TOP_LEVEL, *TABLES], "setting"))
    return settings


def _endpoints(located: _Located, raw: object, problems: list[Problem]) -> dict[str, str]:
    """``[endpoints]``: platform = base URL, each checked."""
    endpoints: dict[str, str] = {}
    if not isinstance(raw, dict):
        problems.append(located.problem(("endpoints",), None, "expected a table"))
        return endpoints
    for platform, base in raw.items():
        if platform not in _PLATFORMS:
            problems.append(_unknown(located, ("endpoints",), platform, _PLATFORMS, "platform"))
            continue
        message = check_endpoint(base) if isinstance(base, str) else f"expected a URL, got {base!r}"
        if message:
            problems.append(located.problem(("endpoints",), platform, message))
        else:
            endpoints[platform] = base
    return endpoints


def _limits(located: _Located, raw: object, problems: list[Problem]) -> dict[str, HostLimits]:
    """``[limits.<platform>]`` and ``[limits.default]``, each a table of :data:`LIMIT_KEYS`."""
    limits: dict[str, HostLimits] = {}
    if not isinstance(raw, dict):
        problems.append(located.problem(("limits",), None, "expected a table"))
        return limits
    for platform, table in raw.items():
        if platform not in _PLATFORMS and platform != "default":
            known = [*_PLATFORMS, "default"]
            problems.append(_unknown(located, ("limits",), platform, known, "platform"))
            continue
        values = _check_table(located, ("limits", platform), table, LIMIT_KEYS, problems)
        # A table that sets one key keeps the other from the limits it replaces (the
        # platform's spec, or the fetcher's default), not HostLimits' bare field defaults.
        limits[platform] = replace(_builtin_limits(platform), **values)
    return limits


def with_timeouts(config: FetchConfig, values: Mapping[str, float]) -> FetchConfig:
    """``config`` with the :data:`TIMEOUT_KEYS` in ``values`` set (already checked)."""
    fields = {k: float(v) for k, v in values.items() if k != "max_wait"}
    config = replace(config, timeouts=replace(config.timeouts, **fields))
    if "max_wait" in values:
        config = replace(config, max_rate_limit_wait=float(values["max_wait"]))
    return config


def parse_timeout_flags(values: Sequence[str]) -> dict[str, float]:
    """``--timeout`` values: ``NAME=SECONDS`` for a :data:`TIMEOUT_KEYS` name, or a bare number
    for ``attempt``. Raises UsageError naming the flag and the key."""
    parsed: dict[str, float] = {}
    for value in values:
        name, sep, text = value.partition("=")
        name, text = (name.strip(), text.strip()) if sep else ("attempt", name.strip())
        if name not in TIMEOUT_KEYS:
            hint = did_you_mean(name, TIMEOUT_KEYS) or f"expected one of: {', '.join(TIMEOUT_KEYS)}"
            raise UsageError(f"--timeout: unknown name {name!r}; {hint}")
        try:
            seconds: Any = float(text)
        except ValueError:
            seconds = text
        problem = TIMEOUT_KEYS[name](seconds)
        if problem:
            raise UsageError(f"--timeout {name}: {problem}")
        parsed[name] = seconds
    return parsed


def _builtin_limits(platform: str) -> HostLimits:
    """The politeness ``platform`` has without a config file."""
    if platform == "default":
        return DEFAULT_HOST_LIMITS
    return host_limits()[platform]


def build_fetch_config(
    config_path: str | Path | None = None,
    *,
    endpoints: Mapping[str, str] | None = None,
    allow_private_network: bool = False,
    contact_url: str | None = None,
    proxy: str | None = None,
    timeouts: Mapping[str, float] | None = None,
) -> FetchConfig:
    """The config a command runs with: the file (when given), then command-line values on top.

    ``endpoints`` from the command line are merged over the file's, platform by platform, and
    ``timeouts`` (see :func:`parse_timeout_flags`) key by key; ``allow_private_network`` can
    only be switched on by a flag, never off.
    """
    base = load_config(config_path) if config_path is not None else platform_fetch_config()
    merged = {**base.endpoints, **(endpoints or {})}
    for platform, url in merged.items():
        problem = check_endpoint(url)
        if problem:
            raise UsageError(f"--endpoint {platform}: {problem}")
    config = replace(
        base,
        endpoints=merged,
        allow_private_network=base.allow_private_network or allow_private_network,
        contact_url=contact_url or base.contact_url,
        proxy=proxy or base.proxy,
    )
    return with_timeouts(config, timeouts or {})
