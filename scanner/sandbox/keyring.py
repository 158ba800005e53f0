"""The owner-API tokens a running sandbox accepts: the world's credentials, their states as
changed at run time (a token that expires mid-run), and the YouTube quota each key has spent."""

from __future__ import annotations

import enum
import threading
from dataclasses import dataclass, replace

from scanner.sandbox.world import ApiName, CredentialState, World, WorldCredential

__all__ = ["Check", "Keyring", "TokenProblem"]


class TokenProblem(enum.StrEnum):
    """Why a request's token is refused; each API words each one its own way."""

    MISSING = "missing"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Check:
    """A token check: the credential when it is good for the API, else the problem."""

    credential: WorldCredential | None
    problem: TokenProblem | None


class Keyring:
    """Thread-safe: the sandbox's event loop reads it while tests change it."""

    def __init__(self, world: World) -> None:
        self._world = world
        self._lock = threading.Lock()
        self._states: dict[str, CredentialState] = {}
        self._quotas: dict[str, int | None] = {}
        self._spent: dict[str, int] = {}

    def check(self, api: ApiName, token: str | None) -> Check:
        """Whether ``token`` may call ``api``. A token of another API is unknown here, as a
        real API knows only its own tokens; expiry is judged against the world's as_of, so a
        world answers the same whatever day it is served."""
        if not token:
            return Check(None, TokenProblem.MISSING)
        found = self._world.credential(token)
        if found is None or found.api is not api:
            return Check(None, TokenProblem.UNKNOWN)
        with self._lock:
            state = self._states.get(token, found.state)
        if state is CredentialState.REVOKED:
            return Check(found, TokenProblem.REVOKED)
        expired = found.expires_at is not None and found.expires_at <= self._world.as_of_datetime
        if state is CredentialState.EXPIRED or expired:
            return Check(found, TokenProblem.EXPIRED)
        return Check(replace(found, state=state), None)

    def spend(self, token: str, units: int) -> bool:
        """Spend quota units; False (nothing spent) once the key's quota would be exceeded."""
        found = self._world.credential(token)
        with self._lock:
            quota = self._quotas.get(token, found.quota if found else None)
            spent = self._spent.get(token, 0)
            if quota is not None and spent + units > quota:
                return False
            self._spent[token] = spent + units
            return True

    def set_state(self, token: str, state: CredentialState | None) -> None:
        with self._lock:
            if state is None:
                self._states.pop(token, None)
            else:
                self._states[token] = state

    def set_quota(self, token: str, units: int | None) -> None:
        """A new quota with nothing spent yet; None: unlimited."""
        with self._lock:
            self._quotas[token] = units
            self._spent.pop(token, None)

    def reset(self) -> None:
        """Back to the world file: its states and quotas, nothing spent."""
        with self._lock:
            self._states.clear()
            self._quotas.clear()
            self._spent.clear()
