"""Signals that tell an impersonator from a namesake or a fan among brand-like pages: what the
page claims to be, what it asks visitors for, where it links, whose name it copies and how old it
is, each worded for the report (issue 14).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from scanner.matching.normalize import compact_of, fold, normalize
from scanner.model import Account

__all__ = [
    "LINK_HUBS",
    "Signal",
    "claims",
    "copied_display_name",
    "disclosure",
    "distinctive_aliases",
    "distinctive_terms",
    "is_link_hub",
    "solicits",
    "takes",
]

_NEGATION = re.compile(r"\b(not|no|never|isn t|isnt|nor|without)( \w+){0,2}$")
"""A claim preceded by these within two words is a disclaimer (``not the official page``)."""

_CLAIM_IN_BIO = re.compile(
    r"\b(official|officially|verified (account|page)|authentic|customer (support|service|care)"
    r"|support team|care team|help ?desk|help ?line|help ?center|official (shop|store|page))\b"
)
_CLAIM_WORDS: dict[str, bool] = {
    "official": True,
    "verified": True,
    "authentic": True,
    "real": True,
    "support": True,
    "helpdesk": True,
    "headquarters": True,
    "hq": False,
    "help": False,
    "care": False,
    "service": False,
    "team": False,
}
"""Words in a display name or handle that present the page as the brand itself or its desk,
and whether the claim is strong: a care home, a tree service or a sports team may carry the
others in their own name (weak: outweighed by their own domain or history)."""

_SOLICIT = re.compile(
    r"\b(dm|dms|direct message|message us|inbox us|text us|whatsapp|telegram|signal me"
    r"|order (number|no|id|#)|tracking number|refunds?|reimburse\w*|compensation"
    r"|giveaways?|give away|prizes?|winners?|claim (your|a|the)|free (bag|gift|coffee|voucher)"
    r"|log ?in|sign ?in|verify your|your account|account number|insurance number"
    r"|license key|cashback)\b"
)
"""What scam pages ask for: private contact, order numbers, prizes, logins. A namesake with a
site of its own may ask for some of it too (``DM for commissions``)."""

_TAKES = re.compile(
    r"\b(crypto|bitcoin|btc|eth|usdt|wallet|airdrop|nft|double your|seed phrase|password"
    r"|card (number|details)|bank details|payment details|gift cards?|passport scan"
    r"|(registration|training|processing) fee|pay a \w+ fee)\b"
)
"""What no genuine page of anyone asks for in public: crypto, passwords, card and bank
details, gift cards, fees to get a job."""

_DISCLOSURE = re.compile(
    r"\b(fan ?(page|account|club|site|made|art|community|run|blog|group|channel)|fans? of"
    r"|by fans"
    r"|parody|satire|satirical|spoof|tribute|roleplay|rp account)\b"
)
"""How fan and parody pages disclose themselves (platforms ask parody accounts to say so)."""

LINK_HUBS: frozenset[str] = frozenset(
    {
        "bit.ly",
        "tinyurl.com",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "cutt.ly",
        "rebrand.ly",
        "shorturl.at",
        "rb.gy",
        "linktr.ee",
        "lnk.bio",
        "beacons.ai",
        "linkin.bio",
        "wa.me",
        "t.me",
        "telegram.me",
        "discord.gg",
        "forms.gle",
    }
)
"""Shorteners, link-in-bio hubs and messaging links: they hide where a visitor ends up and are
not a site of the page's own (a scam page's "support" link is one of these)."""


@dataclass(frozen=True)
class Signal:
    """One signal of impersonation, in plain words. A weak one (the brand's terms, a recent
    creation date) is outweighed by the page's own domain or an established history."""

    text: str
    strong: bool = True


def is_link_hub(host: str) -> bool:
    return any(host == h or host.endswith("." + h) for h in LINK_HUBS)


def _negated(text: str, start: int) -> bool:
    return _NEGATION.search(text[:start].rstrip()) is not None


def claims(display_name: str, handle_name: str, bio: str) -> tuple[Signal, ...]:
    """How the page presents itself as the organization or its help desk: claim words in its
    name or handle (``copperkettle_support``), claim phrases in its bio (strong); never when
    negated (``not the official page``) or part of ``unofficial``."""
    found: dict[str, Signal] = {}
    name_words = set(fold(display_name).split()) | set(fold(handle_name).split())
    compact = fold(handle_name).replace(" ", "")
    for word, strong in _CLAIM_WORDS.items():
        glued = (
            compact.endswith(word)
            if word == "hq"
            else (len(word) >= 4 and (compact.startswith(word) or compact.endswith(word)))
        )
        if word in name_words or glued:
            text = f"its name claims to be the brand's own ({word!r})"
            found.setdefault(text, Signal(text, strong))
    folded = fold(bio)
    for m in _CLAIM_IN_BIO.finditer(folded):
        if not _negated(folded, m.start()):
            text = f"its bio claims to be the brand's own ({m.group(0)!r})"
            found.setdefault(text, Signal(text))
    return tuple(found.values())


def solicits(text: str) -> tuple[str, ...]:
    """What the page asks visitors for (private messages, order numbers, prizes, crypto,
    logins), each phrase once."""
    return tuple(dict.fromkeys(m.group(0) for m in _SOLICIT.finditer(fold(text))))


def takes(text: str) -> tuple[str, ...]:
    """What the page asks for that only a fraud asks for (crypto, passwords, card details)."""
    return tuple(dict.fromkeys(m.group(0) for m in _TAKES.finditer(fold(text))))


def disclosure(text: str) -> str | None:
    """The words with which a page says it is a fan or parody page."""
    m = _DISCLOSURE.search(fold(text))
    return m.group(0) if m else None


def _plain(text: str) -> str:
    """A display name as a reader compares it: confusables, case and emoji set aside."""
    skeleton = normalize(text).skeleton
    return " ".join("".join(c for c in w if c.isalnum()) for w in skeleton.split()).strip()


def copied_display_name(display_name: str | None, accounts: Iterable[Account]) -> Account | None:
    """The inventoried account whose display name the page copies exactly (case, lookalike
    letters and emoji aside)."""
    if not display_name:
        return None
    page = _plain(display_name)
    if not page:
        return None
    for account in accounts:
        if account.display_name and _plain(account.display_name) == page:
            return account
    return None


def distinctive_aliases(aliases: Sequence[str]) -> tuple[str, ...]:
    """The aliases that say more than the organization's shortest name (``Copper Kettle
    Coffee`` beside ``Copper Kettle``; ``Halcyon Labs`` beside ``Halcyon``): a namesake shares
    the short name, only the brand (or its impostor) uses the rest. Product lines named in the
    aliases qualify too."""
    compacts = {a: compact_of(a) for a in aliases if compact_of(a)}
    if not compacts:
        return ()
    base = min(compacts.values(), key=len)
    return tuple(a for a, c in compacts.items() if c != base)


def distinctive_terms(text: str, aliases: Sequence[str]) -> tuple[str, ...]:
    """The distinctive aliases (see :func:`distinctive_aliases`) the text names, compared as
    confusable skeletons, whole words only."""
    if not text.strip():
        return ()
    padded = f" {normalize(text).skeleton} "
    found = []
    for alias in distinctive_aliases(aliases):
        words = normalize(alias).skeleton
        if words and f" {words} " in padded:
            found.append(alias)
    return tuple(found)
