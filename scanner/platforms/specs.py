"""Loading and validating platform specs (``specs/<platform>.yaml``, shipped as package data).

Every problem in a spec is collected and raised together as a ValidationError with
``file:line:column`` and what was expected; unknown keys get a "did you mean". A spec that loads
is complete: both exists and missing signals (each a status plus at least one marker) for the
profile probe, handle rules, politeness defaults, self-check handles and the launch date that
bounds every date the platform can show.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from scanner.errors import Problem, ValidationError, did_you_mean
from scanner.fetch.config import TokenSource
from scanner.fetch.rewrite import ANY_HOST
from scanner.model import (
    EXTRACTED_FIELDS,
    AccountState,
    Location,
    ObservationStatus,
    Platform,
)
from scanner.platforms.api.interface import Api
from scanner.platforms.interface import (
    ApiSpec,
    BlockSignal,
    ContentKind,
    HandleRules,
    HtmlHints,
    Marker,
    PageKind,
    PlatformSpec,
    PrefixUse,
    ProbeSpec,
    RateLimits,
    SelfCheckSpec,
    Signal,
    StateSignal,
    SupportLevel,
    UrlPattern,
)
from scanner.platforms.markers import parse_marker
from scanner.yamlsource import YList, YMap, load_yaml_text, read_text

__all__ = ["OBSERVATION_FIELDS", "load_spec", "load_spec_text", "packaged_spec_paths"]

OBSERVATION_FIELDS = frozenset(EXTRACTED_FIELDS)
"""Observation fields an extractor can fill (the rest is evidence every observation has)."""

API_FACTS = frozenset({"access", "reach"})
"""What an owner API may show beyond a profile's fields (``api.extracts``): who holds the
account (``access``) and whether the organization's credential reaches it (``reach``)."""

_STATE_NAMES = {s.value: s for s in AccountState if s not in (AccountState.UNKNOWN,)}
_BLOCK_RESULTS = {"blocked": ObservationStatus.BLOCKED, "error": ObservationStatus.ERROR}
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
_DOMAIN = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$")
_ENV_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_HEADER = re.compile(r"^[A-Za-z0-9-]+$")
_API_BASE = re.compile(r"^https://(?:[a-z0-9-]+\.)+[a-z]+$")

T = TypeVar("T")


def packaged_spec_paths() -> dict[Platform, Path]:
    """The shipped spec file of every platform that has one."""
    root = resources.files("scanner.platforms") / "specs"
    found: dict[Platform, Path] = {}
    for platform in Platform:
        entry = root / f"{platform.value}.yaml"
        if entry.is_file():
            found[platform] = Path(str(entry))
    return found


def load_spec(path: str | Path, *, extractors: Collection[str] | None = None) -> PlatformSpec:
    """Load and validate one spec file (raises ValidationError listing every problem)."""
    return load_spec_text(read_text(path), str(path), extractors=extractors)


def load_spec_text(
    text: str, name: str, *, extractors: Collection[str] | None = None
) -> PlatformSpec:
    data = load_yaml_text(text, name)
    v = _Validator(name, extractors)
    spec = v.spec(data)
    if v.problems or spec is None:
        raise ValidationError(v.problems)
    return spec


_SPEC_REQUIRED = (
    "platform",
    "name",
    "launched",
    "support",
    "extractor",
    "display_url",
    "handle",
    "probes",
    "rate_limit",
    "extracts",
    "self_check",
    "hosts",
)
_SPEC_OPTIONAL = ("id_display_url", "tokens", "url_patterns", "blocks", "html", "notes", "api")


@dataclass(frozen=True)
class _Identity:
    """Who a spec is about: the fields that name the platform and how it is read."""

    platform: Platform
    name: str
    launched: date
    support: SupportLevel
    extractor: str


class _Validator:
    def __init__(self, file: str, extractors: Collection[str] | None) -> None:
        self.file = file
        self.extractors = extractors
        self.problems: list[Problem] = []

    # ------------------------------------------------------------------ helpers

    def problem(
        self, node: Any, key: str | int | None, message: str, hint: str | None = None
    ) -> None:
        line = col = None
        if isinstance(node, YMap):
            if isinstance(key, str):
                line, col = node.line_of(key), node.column_of(key)
            else:
                line, col = node.line, node.column
        elif isinstance(node, YList):
            line = node.line_of(key) if isinstance(key, int) else node.line
            if isinstance(key, int) and 0 <= key < len(node.item_lines):
                col = node.item_lines[key][1]
            else:
                col = node.column
        self.problems.append(Problem(self.file, line, col, message, hint))

    def mapping(
        self,
        node: Any,
        where: str,
        parent: Any,
        key: str | int | None,
        *,
        required: Iterable[str],
        optional: Iterable[str] = (),
    ) -> YMap | None:
        if not isinstance(node, YMap):
            self.problem(parent, key, f"{where}: expected a mapping, got {_kind(node)}")
            return None
        allowed = set(required) | set(optional)
        for k in node:
            if k not in allowed:
                self.problem(
                    node,
                    k,
                    f"{where}: unknown key {k!r}; expected one of {', '.join(sorted(allowed))}",
                    did_you_mean(k, allowed),
                )
        for k in required:
            if k not in node:
                self.problem(node, None, f"{where}: missing required key {k!r}")
        return node

    def get(
        self,
        node: YMap,
        key: str,
        where: str,
        check: Callable[[Any], T | None],
        expected: str,
        default: T | None = None,
    ) -> T | None:
        if key not in node:
            return default
        value = check(node[key])
        if value is None:
            self.problem(node, key, f"{where}.{key}: expected {expected}, got {node[key]!r}")
        return value

    def regex(self, node: YMap, key: str, where: str) -> re.Pattern[str] | None:
        text = self.get(node, key, where, _str, "a regular expression")
        if text is None:
            return None
        try:
            return re.compile(text)
        except re.error as exc:
            self.problem(node, key, f"{where}.{key}: bad regular expression: {exc}")
            return None

    def markers(self, node: YMap, where: str, *, required: bool) -> tuple[Marker, ...]:
        if "markers" not in node:
            return ()  # a missing required key is reported by mapping()
        raw = node["markers"]
        if not isinstance(raw, YList) or (required and not raw):
            self.problem(
                node,
                "markers",
                f"{where}.markers: expected a non-empty list of markers "
                "(a bare status code is never enough)",
            )
            return ()
        out = []
        for i, item in enumerate(raw):
            try:
                out.append(parse_marker(item))
            except ValueError as exc:
                self.problem(raw, i, f"{where}.markers[{i}]: {exc}")
        return tuple(out)

    def statuses(self, node: YMap, where: str, *, required: bool) -> frozenset[int]:
        if "status" not in node:
            if required:
                self.problem(node, None, f"{where}: missing required key 'status'")
            return frozenset()
        raw = node["status"]
        items = raw if isinstance(raw, list) else [raw]
        good = [s for s in items if isinstance(s, int) and not isinstance(s, bool)]
        if not items or len(good) != len(items) or not all(100 <= s <= 999 for s in good):
            self.problem(
                node, "status", f"{where}.status: expected an HTTP status or a list of them"
            )
            return frozenset()
        return frozenset(good)

    # ------------------------------------------------------------------ sections

    def spec(self, data: Any) -> PlatformSpec | None:
        root = self.mapping(
            data, "spec", data, None, required=_SPEC_REQUIRED, optional=_SPEC_OPTIONAL
        )
        if root is None:
            return None
        identity = self.identity(root)
        display_url = self.get(root, "display_url", "spec", _template, "a URL template")
        id_url = self.get(root, "id_display_url", "spec", _template, "a URL template", default="")
        handle = self.handle_rules(root.get("handle"), root)
        probes = self.probes(root.get("probes"), root)
        blocks = self.blocks(root.get("blocks", YList()), root)
        rate = self.rate_limit(root.get("rate_limit"), root)
        extracts = self.extracts(root.get("extracts"), root)
        self_check = self.self_check(root.get("self_check"), root, handle)
        url_patterns = self.url_patterns(root.get("url_patterns", YList()), root)
        html = self.html(root.get("html"), root)
        notes = self.get(root, "notes", "spec", _str, "text", default="")
        hosts = self.hosts(root)
        if hosts is not None and probes is not None and display_url is not None:
            displays = {"display_url": display_url, "id_display_url": id_url or display_url}
            self.urls_on_hosts(root, hosts, probes, displays)
        tokens = self.tokens(root.get("tokens", YList()), root, hosts or ())
        api = self.api(root["api"], root) if "api" in root else None
        if (
            identity is None
            or display_url is None
            or handle is None
            or probes is None
            or rate is None
            or extracts is None
            or self_check is None
            or hosts is None
            or self.problems
        ):
            return None
        return PlatformSpec(
            platform=identity.platform,
            name=identity.name,
            support=identity.support,
            extractor=identity.extractor,
            display_url=display_url,
            id_display_url=id_url or "",
            probes=probes,
            handle=handle,
            blocks=blocks,
            rate_limit=rate,
            extracts=extracts,
            self_check=self_check,
            launched=identity.launched,
            location=Location(self.file, root.line, root.column),
            hosts=hosts,
            tokens=tokens,
            url_patterns=url_patterns,
            html=html,
            notes=notes or "",
            api=api,
        )

    def identity(self, root: YMap) -> _Identity | None:
        """The platform, its name, launch date, support level and extractor (None if any is
        missing or invalid, each reported)."""
        platform = self.get(
            root, "platform", "spec", _enum(Platform), f"one of {', '.join(Platform)}"
        )
        name = self.get(root, "name", "spec", _str, "a display name")
        launched = self.get(
            root, "launched", "spec", _day, "the platform's launch date (YYYY-MM-DD)"
        )
        support = self.get(
            root, "support", "spec", _enum(SupportLevel), "one of full, partial, manual"
        )
        extractor = self.get(root, "extractor", "spec", _str, "an extractor name")
        if (
            extractor is not None
            and self.extractors is not None
            and extractor not in self.extractors
        ):
            self.problem(
                root,
                "extractor",
                f"spec.extractor: unknown extractor {extractor!r}; expected one of "
                f"{', '.join(sorted(self.extractors))}",
                did_you_mean(extractor, self.extractors),
            )
        if (
            platform is None
            or name is None
            or launched is None
            or support is None
            or extractor is None
        ):
            return None
        return _Identity(platform, name, launched, support, extractor)

    def handle_rules(self, node: Any, parent: YMap) -> HandleRules | None:
        m = self.mapping(
            node,
            "handle",
            parent,
            "handle",
            required=("regex", "max_length", "separators"),
            optional=(
                "case_sensitive",
                "strip_prefix",
                "prefix_use",
                "description",
                "name_part",
                "discovery_forms",
                "kinds",
                "key_by_name",
            ),
        )
        if m is None:
            return None
        pattern = self.regex(m, "regex", "handle")
        max_length = self.get(m, "max_length", "handle", _positive_int, "a positive integer")
        seps = self.get(m, "separators", "handle", _separators, "a list of single characters")
        case = self.get(m, "case_sensitive", "handle", _bool, "true or false", default=False)
        prefix = self.get(m, "strip_prefix", "handle", _str_or_empty, "a string", default="")
        prefix_use = self.get(
            m,
            "prefix_use",
            "handle",
            _enum(PrefixUse),
            "omit, optional or require",
            default=PrefixUse.OMIT,
        )
        if prefix_use is not PrefixUse.OMIT and not prefix:
            self.problem(m, "prefix_use", "handle.prefix_use: expected a strip_prefix to write")
        desc = self.get(m, "description", "handle", _str, "text", default="")
        name_part = self.name_part(m) if "name_part" in m else None
        by_name = self.get(m, "key_by_name", "handle", _bool, "true or false", default=False)
        if by_name and name_part is None:
            self.problem(m, "key_by_name", "handle.key_by_name: expected a name_part to key by")
        bare: tuple[tuple[str, str], ...] = (("", ""),)
        forms = self.get(
            m,
            "discovery_forms",
            "handle",
            _forms,
            "a list of handle templates each with one {name}, e.g. ['r/{name}']",
            default=bare,
        )
        if pattern is None or max_length is None or seps is None or prefix_use is None:
            return None
        return HandleRules(
            pattern=pattern,
            max_length=max_length,
            separators=seps,
            case_sensitive=bool(case),
            strip_prefix=prefix or "",
            prefix_use=prefix_use,
            description=desc or "",
            name_part=name_part,
            discovery_forms=forms or (),
            kinds=self.kinds(m["kinds"], m) if "kinds" in m else (),
            key_by_name=bool(by_name),
        )

    def kinds(self, raw: Any, parent: YMap) -> tuple[PageKind, ...]:
        """``handle.kinds``: ``[{kind: NAME, regex: R, own_audience: BOOL}]``, first match wins."""
        if not isinstance(raw, YList) or not raw:
            self.problem(parent, "kinds", "handle.kinds: expected a non-empty list")
            return ()
        out = []
        for i, item in enumerate(raw):
            w = f"handle.kinds[{i}]"
            m = self.mapping(
                item, w, raw, i, required=("kind",), optional=("regex", "own_audience")
            )
            if m is None:
                continue
            name = self.get(m, "kind", w, _code, "a lowercase name such as 'community'")
            pattern = self.regex(m, "regex", w) if "regex" in m else None
            own = self.get(m, "own_audience", w, _bool, "true or false", default=False)
            if name is not None:
                out.append(PageKind(name, pattern, bool(own)))
        return tuple(out)

    def name_part(self, m: YMap) -> re.Pattern[str] | None:
        """``handle.name_part``: a regex whose group ``name`` captures a handle's name part."""
        name_part = self.regex(m, "name_part", "handle")
        if name_part is not None and "name" not in name_part.groupindex:
            self.problem(
                m,
                "name_part",
                "handle.name_part: expected a regular expression with a group"
                " (?P<name>...) that captures the name part of a handle",
            )
        return name_part

    def hosts(self, root: YMap) -> tuple[str, ...] | None:
        if "hosts" not in root:
            return None  # reported by mapping()
        raw = root["hosts"]
        if not isinstance(raw, YList) or not raw:
            self.problem(
                root,
                "hosts",
                "hosts: expected a non-empty list of the platform's domains (each covers its "
                f"subdomains) or {ANY_HOST!r} for any host",
            )
            return None
        for i, host in enumerate(raw):
            if host != ANY_HOST and not (isinstance(host, str) and _DOMAIN.fullmatch(host)):
                self.problem(
                    raw,
                    i,
                    f"hosts[{i}]: expected a lower-case domain name such as example.com "
                    f"(no scheme, port or path) or {ANY_HOST!r}, got {host!r}",
                )
        return tuple(raw)

    def urls_on_hosts(
        self,
        root: YMap,
        hosts: tuple[str, ...],
        probes: Mapping[str, ProbeSpec],
        displays: Mapping[str, str],
    ) -> None:
        """Every URL the spec builds is on one of its hosts: an endpoint override covers them."""
        urls = {**displays, **{f"probes.{n}.url": p.url for n, p in probes.items()}}
        for where, url in urls.items():
            host = template_host(url)
            if host is not None and not on_hosts(host, hosts):
                self.problem(
                    root,
                    "hosts",
                    f"hosts: {where} is on {host!r}, which no entry covers; expected every URL "
                    "the spec builds on one of its hosts",
                )

    def tokens(self, raw: Any, parent: YMap, hosts: tuple[str, ...]) -> tuple[TokenSource, ...]:
        if not isinstance(raw, YList):
            self.problem(parent, "tokens", "tokens: expected a list")
            return ()
        out = []
        for i, item in enumerate(raw):
            w = f"tokens[{i}]"
            m = self.mapping(
                item, w, raw, i, required=("env", "host", "header"), optional=("scheme",)
            )
            if m is None:
                continue
            env = self.get(m, "env", w, _match(_ENV_NAME), "an environment variable NAME")
            host = self.get(m, "host", w, _match(_DOMAIN), "one exact lower-case host name")
            header = self.get(m, "header", w, _match(_HEADER), "an HTTP header name")
            scheme = self.get(
                m, "scheme", w, _str_or_empty, "an auth scheme (or '' for a bare key)", default=""
            )
            if host is not None and not on_hosts(host, tuple(h for h in hosts if h != ANY_HOST)):
                self.problem(m, "host", f"{w}.host: {host!r} is not one of the spec's hosts")
            if env is None or host is None or header is None or scheme is None:
                continue
            out.append(TokenSource(env=env, host=host, header=header, scheme=scheme))
        return tuple(out)

    def api(self, node: Any, parent: YMap) -> ApiSpec | None:
        """``api:``: the endpoint and connector; the one spec that declares the endpoint adds
        its hosts, base URL, default version, credential and politeness."""
        w = "api"
        facts = ("hosts", "base_url", "token")
        m = self.mapping(
            node,
            w,
            parent,
            w,
            required=("endpoint", "connector", "extracts"),
            optional=(*facts, "version", "rate_limit"),
        )
        if m is None:
            return None
        endpoint = self.get(m, "endpoint", w, _enum(Api), f"one of {', '.join(Api)}")
        connector = self.get(m, "connector", w, _match(_CODE), "a connector name")
        extracts = (
            self.extracts(m["extracts"], m, OBSERVATION_FIELDS | API_FACTS)
            if "extracts" in m
            else None
        ) or frozenset()
        if 0 < sum(k in m for k in facts) < len(facts):
            self.problem(m, None, f"{w}: {', '.join(facts)} go together (declaring the endpoint)")
            return None
        version = self.get(m, "version", w, _str, "the API version", default="")
        rate = self.rate_limit(m["rate_limit"], m) if "rate_limit" in m else None
        if "hosts" not in m:
            if endpoint is None or connector is None:
                return None
            return ApiSpec(endpoint, connector, extracts, version=version or "", rate_limit=rate)
        hosts = self.hosts(m)
        base = self.get(m, "base_url", w, _match(_API_BASE), "https://host (no path)")
        host = base.partition("://")[2] if base else None
        if host is not None and hosts is not None and not on_hosts(host, hosts):
            self.problem(m, "base_url", f"{w}.base_url: {host!r} is not one of {w}.hosts")
        token = self.api_token(m["token"], m, host)
        if endpoint is None or connector is None or hosts is None or base is None or not token:
            return None
        return ApiSpec(endpoint, connector, extracts, hosts, base, version or "", token, rate)

    def api_token(self, node: Any, parent: YMap, host: str | None) -> TokenSource | None:
        w = "api.token"
        m = self.mapping(node, w, parent, "token", required=("env", "header", "scheme"))
        if m is None:
            return None
        env = self.get(m, "env", w, _match(_ENV_NAME), "an environment variable NAME")
        header = self.get(m, "header", w, _match(_HEADER), "an HTTP header name")
        scheme = self.get(m, "scheme", w, _str_or_empty, "an auth scheme (or '' for a bare key)")
        if env is None or header is None or scheme is None or host is None:
            return None
        return TokenSource(env=env, host=host, header=header, scheme=scheme)

    def probes(self, node: Any, parent: YMap) -> dict[str, ProbeSpec] | None:
        if not isinstance(node, YMap) or not node:
            self.problem(parent, "probes", "probes: expected a mapping of probe name → probe")
            return None
        out: dict[str, ProbeSpec] = {}
        for pname, raw in node.items():
            where = f"probes.{pname}"
            m = self.mapping(
                raw,
                where,
                node,
                pname,
                required=("url", "content"),
                optional=("exists", "missing", "states"),
            )
            if m is None:
                continue
            url = self.get(m, "url", where, _template, "a URL template")
            content = self.get(m, "content", where, _enum(ContentKind), "json, xml, html or any")
            if url is None or content is None:
                continue
            exists = self.signals(m, "exists", where, content)
            missing = self.signals(m, "missing", where, content)
            states = self.states(m, where, content)
            if pname == "profile" or exists or missing:
                for key, sigs in (("exists", exists), ("missing", missing)):
                    if not sigs and key not in m:
                        self.problem(
                            m,
                            None,
                            f"{where}: missing required key {key!r} (a probe that decides "
                            "existence needs both an exists and a missing signal)",
                        )
            out[pname] = ProbeSpec(pname, url, content, exists, missing, states)
        if "profile" not in node:
            self.problem(node, None, "probes: missing required probe 'profile'")
        return out

    def signal(
        self, raw: Any, parent: YList, i: int, where: str, default: ContentKind
    ) -> Signal | None:
        m = self.mapping(
            raw, where, parent, i, required=("status", "markers"), optional=("content", "state")
        )
        if m is None:
            return None
        statuses = self.statuses(m, where, required=True)
        content = self.get(
            m, "content", where, _enum(ContentKind), "json, xml, html or any", default=default
        )
        markers = self.markers(m, where, required=True)
        if markers and all(mk.negate for mk in markers):
            self.problem(
                m,
                "markers",
                f"{where}.markers: expected at least one marker that is not negated "
                "(absence of something is not evidence)",
            )
            return None
        if not statuses or not markers or content is None:
            return None
        return Signal(statuses, content, markers)

    def signals(self, node: YMap, key: str, where: str, content: ContentKind) -> tuple[Signal, ...]:
        raw = node.get(key)
        if raw is None:
            return ()
        if not isinstance(raw, YList) or not raw:
            self.problem(node, key, f"{where}.{key}: expected a non-empty list of signals")
            return ()
        out = []
        for i, item in enumerate(raw):
            if isinstance(item, YMap) and "state" in item:
                self.problem(item, "state", f"{where}.{key}[{i}]: 'state' belongs under 'states'")
            sig = self.signal(item, raw, i, f"{where}.{key}[{i}]", content)
            if sig is not None:
                out.append(sig)
        return tuple(out)

    def states(self, node: YMap, where: str, content: ContentKind) -> tuple[StateSignal, ...]:
        raw = node.get("states")
        if raw is None:
            return ()
        if not isinstance(raw, YList):
            self.problem(node, "states", f"{where}.states: expected a list")
            return ()
        out = []
        for i, item in enumerate(raw):
            w = f"{where}.states[{i}]"
            if isinstance(item, YMap) and "state" not in item:
                self.problem(item, None, f"{w}: missing required key 'state'")
                continue
            state = (
                self.get(
                    item,
                    "state",
                    w,
                    lambda v: _STATE_NAMES.get(v) if isinstance(v, str) else None,
                    f"one of {', '.join(_STATE_NAMES)}",
                )
                if isinstance(item, YMap)
                else None
            )
            sig = self.signal(item, raw, i, w, content)
            if sig is not None and state is not None:
                out.append(StateSignal(sig, state))
        return tuple(out)

    def blocks(self, raw: Any, parent: YMap) -> tuple[BlockSignal, ...]:
        if not isinstance(raw, YList):
            self.problem(parent, "blocks", "blocks: expected a list")
            return ()
        out = []
        for i, item in enumerate(raw):
            w = f"blocks[{i}]"
            m = self.mapping(
                item, w, raw, i, required=("code", "text"), optional=("status", "markers", "result")
            )
            if m is None:
                continue
            statuses = self.statuses(m, w, required=False)
            markers = self.markers(m, w, required=False)
            code = self.get(m, "code", w, _code, "a snake_case reason code")
            text = self.get(m, "text", w, _str, "text")
            result = self.get(
                m,
                "result",
                w,
                lambda v: _BLOCK_RESULTS.get(v) if isinstance(v, str) else None,
                "blocked or error",
                default=ObservationStatus.BLOCKED,
            )
            if not statuses and not markers and "status" not in m and "markers" not in m:
                self.problem(m, None, f"{w}: expected 'status', 'markers' or both")
                continue
            if code is None or text is None or result is None:
                continue
            out.append(BlockSignal(statuses, markers, result, code, text))
        return tuple(out)

    def rate_limit(self, node: Any, parent: YMap) -> RateLimits | None:
        m = self.mapping(
            node, "rate_limit", parent, "rate_limit", required=("concurrency", "min_interval")
        )
        if m is None:
            return None
        conc = self.get(m, "concurrency", "rate_limit", _positive_int, "a positive integer")
        interval = self.get(
            m, "min_interval", "rate_limit", _non_negative_number, "seconds (a number ≥ 0)"
        )
        if conc is None or interval is None:
            return None
        return RateLimits(conc, float(interval))

    def extracts(
        self, raw: Any, parent: YMap, allowed: frozenset[str] = OBSERVATION_FIELDS
    ) -> frozenset[str] | None:
        if not isinstance(raw, YList):
            self.problem(parent, "extracts", "extracts: expected a list of Observation field names")
            return None
        out = set()
        for i, item in enumerate(raw):
            if item in allowed:
                out.add(item)
            else:
                self.problem(
                    raw,
                    i,
                    f"extracts[{i}]: unknown field {item!r}; expected one of "
                    f"{', '.join(sorted(allowed))}",
                    did_you_mean(str(item), allowed),
                )
        return frozenset(out)

    def self_check(
        self, node: Any, parent: YMap, rules: HandleRules | None
    ) -> SelfCheckSpec | None:
        m = self.mapping(
            node,
            "self_check",
            parent,
            "self_check",
            required=("present",),
            optional=("absent_format",),
        )
        if m is None:
            return None
        present = m.get("present")
        if (
            not isinstance(present, YList)
            or len(present) < 2
            or not all(isinstance(h, str) and h for h in present)
        ):
            self.problem(
                m,
                "present",
                "self_check.present: expected at least two known-present handles "
                "(durable accounts; one can always be renamed)",
            )
            return None
        fmt = self.get(
            m,
            "absent_format",
            "self_check",
            lambda v: v if isinstance(v, str) and "{random}" in v else None,
            "a string containing {random}",
            default="{random}",
        )
        if rules is not None:
            for i, h in enumerate(present):
                if not rules.fits(h):
                    self.problem(
                        present, i, f"self_check.present[{i}]: {h!r} breaks the handle rules"
                    )
        return SelfCheckSpec(tuple(present), fmt or "{random}")

    def url_patterns(self, raw: Any, parent: YMap) -> tuple[UrlPattern, ...]:
        if not isinstance(raw, YList):
            self.problem(parent, "url_patterns", "url_patterns: expected a list")
            return ()
        out = []
        for i, item in enumerate(raw):
            w = f"url_patterns[{i}]"
            m = self.mapping(item, w, raw, i, required=("regex", "handle"))
            if m is None:
                continue
            pattern = self.regex(m, "regex", w)
            template = self.get(m, "handle", w, _template, "a handle template such as '{name}'")
            if pattern is None or template is None:
                continue
            missing = _template_fields(template) - set(pattern.groupindex)
            if missing:
                self.problem(
                    m,
                    "handle",
                    f"{w}.handle: uses {', '.join(sorted(missing))} which the regex does not "
                    "capture; expected named groups for every field",
                )
                continue
            out.append(UrlPattern(pattern, template))
        return tuple(out)

    def html(self, node: Any, parent: YMap) -> HtmlHints:
        if node is None:
            return HtmlHints()
        m = self.mapping(
            node,
            "html",
            parent,
            "html",
            required=(),
            optional=("title_pattern", "followers_pattern", "bio_pattern"),
        )
        if m is None:
            return HtmlHints()
        groups = {"title_pattern": "name", "followers_pattern": "count", "bio_pattern": "bio"}
        found: dict[str, re.Pattern[str] | None] = {}
        for key, group in groups.items():
            pattern = self.regex(m, key, "html") if key in m else None
            if pattern is not None and group not in pattern.groupindex:
                self.problem(m, key, f"html.{key}: expected a named group (?P<{group}>...)")
            found[key] = pattern
        return HtmlHints(
            title_pattern=found["title_pattern"],
            followers_pattern=found["followers_pattern"],
            bio_pattern=found["bio_pattern"],
        )


# ---------------------------------------------------------------------- value checks


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _str_or_empty(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _day(value: Any) -> date | None:
    # YAML builds `2008-04-10` as a date; a timestamp or a quoted string is not one.
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _code(value: Any) -> str | None:
    return value if isinstance(value, str) and _CODE.match(value) else None


def _positive_int(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
    return value if ok else None


def _non_negative_number(value: Any) -> float | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
    return float(value) if ok else None


def _separators(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(s, str) and len(s) == 1 for s in value):
        return tuple(value)
    return None


def _forms(value: Any) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, list):
        return None
    out = []
    for item in value:
        if not isinstance(item, str) or item.count("{name}") != 1:
            return None
        prefix, _, suffix = item.partition("{name}")
        out.append((prefix, suffix))
    return tuple(out)


def _template_fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def _template(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        names = _template_fields(value)
    except ValueError:
        return None
    return value if all(n.isidentifier() for n in names) else None


def template_host(url: str) -> str | None:
    """The literal host of a URL template: ``{handle}.example.com`` → ``.example.com`` (a
    suffix any value completes), ``{instance}`` or ``{a}example.com`` → ``""`` (any host); None
    when the template has no host."""
    rest = url.partition("://")[2]
    host = re.split(r"[/?#]", rest, maxsplit=1)[0].rpartition("@")[2].lower()
    if not host:
        return None
    if "}" not in host:
        return host
    suffix = host.rpartition("}")[2]
    return suffix if suffix.startswith(".") else ""


def on_hosts(host: str, hosts: tuple[str, ...]) -> bool:
    """True when ``host`` (or the literal suffix of a templated one) is under one of ``hosts``."""
    if ANY_HOST in hosts:
        return True
    if not host or "." not in host:
        return False
    bare = host.removeprefix(".")
    return any(bare == d or bare.endswith("." + d) for d in hosts)


def _match(pattern: re.Pattern[str]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        return value if isinstance(value, str) and pattern.fullmatch(value) else None

    return check


def _enum(cls: Any) -> Callable[[Any], Any]:
    members: Mapping[str, Any] = {m.value: m for m in cls}

    def check(value: Any) -> Any:
        return members.get(value) if isinstance(value, str) else None

    return check
