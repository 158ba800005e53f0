"""scanner.fetch.transport: the guarded transport's exception table (its requests, redirects,
body streaming and SSRF refusals are exercised over real sockets in test_client and test_ssrf)."""

from __future__ import annotations

import httpcore
import httpx

from scanner.fetch.transport import EXCEPTIONS


def test_every_httpcore_exception_becomes_its_httpx_namesake() -> None:
    raised_by_httpcore = {
        value
        for name in httpcore.__all__
        if isinstance(value := getattr(httpcore, name), type) and issubclass(value, Exception)
    }
    # The pool catches ConnectionNotAvailable itself and retries on another connection.
    assert set(EXCEPTIONS) == raised_by_httpcore - {httpcore.ConnectionNotAvailable}
    for core, mapped in EXCEPTIONS.items():
        assert mapped.__name__ == core.__name__
        assert issubclass(mapped, httpx.TransportError)


def test_the_table_keeps_httpcores_hierarchy() -> None:
    # The nearest mapped class wins, so a subclass must map below its parent's mapping.
    for core, mapped in EXCEPTIONS.items():
        for parent in core.__mro__[1:]:
            if parent in EXCEPTIONS:
                assert issubclass(mapped, EXCEPTIONS[parent]), (core, parent)
