"""An inventory's handle, checked against the platform's spec before anything is fetched: the
spec's rules plus the canonical form (``prefix_use``), with a hint for the usual slips.
"""

from __future__ import annotations

import re

from scanner.model import Platform
from scanner.platforms import PlatformSpec, spec_for
from scanner.platforms.interface import HandleRules, PrefixUse

__all__ = ["check_handle_form", "handle_form"]


def handle_form(platform: Platform) -> tuple[re.Pattern[str], str]:
    """The platform's handle pattern (over the handle without its ``strip_prefix``) and the
    words that describe how an inventory writes a handle there."""
    rules = spec_for(platform).handle
    return rules.pattern, rules.description or f"a handle matching {rules.pattern.pattern}"


def written_right(rules: HandleRules, handle: str) -> bool:
    """True when ``handle`` fits the rules and is written in the inventory's canonical form."""
    if handle != handle.strip() or not rules.fits(handle):
        return False
    prefixed = bool(rules.strip_prefix) and handle.startswith(rules.strip_prefix)
    match rules.prefix_use:
        case PrefixUse.OMIT:
            return not prefixed
        case PrefixUse.OPTIONAL:
            return True
        case PrefixUse.REQUIRE:
            # An opaque id (a YouTube UC… channel id) has no name to put the prefix on.
            return prefixed or rules.name_of(handle) is None


def check_handle_form(platform: Platform, handle: str) -> tuple[str, str | None] | None:
    """None when ``handle`` is written right for ``platform``, else (expected, hint)."""
    spec = spec_for(platform)
    if written_right(spec.handle, handle):
        return None
    return handle_form(platform)[1], _hint(spec, handle)


def _hint(spec: PlatformSpec, handle: str) -> str | None:
    rules = spec.handle
    if handle.startswith(("http://", "https://")):
        return "put the profile URL in 'url' and only the handle here"
    if handle[:1] and not handle[0].isalnum() and written_right(rules, handle[1:]):
        return f"drop the leading {handle[0]!r}"
    prefix = rules.strip_prefix
    if rules.prefix_use is PrefixUse.REQUIRE and written_right(rules, prefix + handle):
        return f"{spec.name} handles start with {prefix!r}: write {prefix}{handle}"
    # A bare name where handles name their kind of page (r/ or u/ on Reddit, company/ or
    # showcase/ on LinkedIn): the kinds are offered, never guessed.
    forms = [f"{before}{handle}{after}" for before, after in rules.discovery_forms]
    fitting = [form for form in forms if form != handle and written_right(rules, form)]
    if len(rules.kinds) > 1 and fitting:
        return f"{spec.name} handles say which kind of page they name: write {' or '.join(fitting)}"
    return None
