"""Read a response body by streaming, within a size cap, decoding gzip/deflate ourselves so a
decompression bomb is stopped after a bounded amount of output instead of filling memory.

The raw (wire) bytes count against ``max_bytes``, and so do the decoded bytes; decoded output is
produced in small steps (``zlib``'s ``max_length``) and its ratio to the wire bytes is checked
after each step.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable, Callable
from dataclasses import dataclass

__all__ = ["BodyRefused", "BodyLimits", "read_body"]

STEP = 256 * 1024
"""Most decoded bytes produced before the next check."""

RATIO_FLOOR = 1024 * 1024
"""The ratio check starts once this much is decoded: small, very repetitive bodies are fine."""


class BodyRefused(Exception):
    """The body broke a limit or could not be decoded; ``code`` is a FetchFailed reason code."""

    def __init__(self, code: str, text: str) -> None:
        self.code = code
        self.text = text
        super().__init__(text)


@dataclass(frozen=True)
class BodyLimits:
    max_bytes: int
    max_ratio: float


class _Inflater:
    """gzip or zlib/raw deflate with bounded output per call."""

    def __init__(self, coding: str) -> None:
        self.coding = coding
        # wbits 47 = 32 + 15: accept a gzip or a zlib header (auto-detect).
        self._obj = zlib.decompressobj(47 if coding == "gzip" else zlib.MAX_WBITS)
        self._started = False

    def feed(self, data: bytes, out: bytearray, limit: int, check: Callable[[], None]) -> None:
        buf = data
        while buf and not self._obj.eof:
            room = min(STEP, limit - len(out))
            try:
                piece = self._obj.decompress(buf, room)
            except zlib.error as exc:
                if self.coding == "deflate" and not self._started:
                    # Some servers send raw deflate without the zlib header (httpx does the same
                    # fallback in its DeflateDecoder).
                    self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._started = True
                    continue
                raise BodyRefused(
                    "protocol_error", f"cannot decode {self.coding} body: {exc}"
                ) from exc
            self._started = True
            out += piece
            check()
            buf = self._obj.unconsumed_tail

    def finish(self, out: bytearray, check: Callable[[], None]) -> None:
        try:
            out += self._obj.flush()
        except zlib.error as exc:
            raise BodyRefused("protocol_error", f"cannot decode {self.coding} body: {exc}") from exc
        check()


async def read_body(
    chunks: AsyncIterable[bytes],
    *,
    content_encoding: str,
    content_length: str | None,
    limits: BodyLimits,
    on_wire_bytes: Callable[[int], None],
) -> bytes:
    """Collect the decoded body from the raw ``chunks``; raises :class:`BodyRefused`."""
    if content_length is not None and content_length.strip().isdigit():
        declared = int(content_length)
        if declared > limits.max_bytes:
            raise BodyRefused(
                "too_large",
                f"body of {declared} bytes announced, over the {limits.max_bytes}-byte cap",
            )
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    codings = [c for c in codings if c != "identity"]
    if len(codings) > 1 or (codings and codings[0] not in ("gzip", "x-gzip", "deflate")):
        raise BodyRefused("protocol_error", f"unsupported content-encoding {content_encoding!r}")
    inflater = _Inflater("gzip" if codings[0] == "x-gzip" else codings[0]) if codings else None

    wire = 0
    out = bytearray()
    limit = limits.max_bytes + 1

    def check() -> None:
        over_ratio = inflater is not None and len(out) > limits.max_ratio * max(wire, 1)
        if over_ratio and (len(out) > RATIO_FLOOR or len(out) > limits.max_bytes):
            raise BodyRefused(
                "decompression_bomb",
                f"{wire} compressed bytes expanded past {len(out)} bytes "
                f"(over {limits.max_ratio:g}:1)",
            )
        if len(out) > limits.max_bytes:
            raise BodyRefused(
                "too_large",
                f"decoded body over the {limits.max_bytes}-byte cap ({wire} on the wire)",
            )

    async for chunk in chunks:
        wire += len(chunk)
        on_wire_bytes(len(chunk))
        if wire > limits.max_bytes:
            raise BodyRefused("too_large", f"body over the {limits.max_bytes}-byte cap")
        if inflater is None:
            out += chunk
        else:
            inflater.feed(chunk, out, limit, check)
    if inflater is not None:
        inflater.finish(out, check)
    return bytes(out)
