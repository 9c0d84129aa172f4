"""The second factor's door for the kernel: the admin site and the API's token login ask
here whether a person has passed it, without importing `accounts` (DESIGN.md: nothing below
it does). `accounts` registers the one checker in its `ready()`; with none registered (an
app used on its own) there is no second factor, so every check passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class SessionCheck(Protocol):
    def __call__(self, request) -> bool: ...


class TokenCheck(Protocol):
    def __call__(self, *, request, user, code: str) -> str | None: ...


@dataclass(frozen=True)
class SecondFactor:
    """`session_passed(request)`: whether this signed-in session may go on (it passed the
    second factor, or needs none). `token_refusal(request=, user=, code=)`: None when an API
    token may be given to `user` with `code` (a one-time code, "" when none was sent), else
    the message saying why not (a wrong code is recorded and counted by the checker)."""

    session_passed: SessionCheck
    token_refusal: TokenCheck


_checkers: list[SecondFactor] = []


def register_second_factor(checker: SecondFactor) -> None:
    """Called once by `accounts` in its `ready()` (a second call changes nothing)."""
    if checker not in _checkers:
        _checkers.append(checker)


def session_passed(request) -> bool:
    """Whether the request's signed-in session has passed the second factor where it needs
    one (every registered checker agrees)."""
    return all(checker.session_passed(request) for checker in _checkers)


def token_refusal(*, request, user, code: str) -> str | None:
    """Why `user` may not have an API token with this `code`, or None."""
    for checker in _checkers:
        refusal = checker.token_refusal(request=request, user=user, code=code)
        if refusal:
            return refusal
    return None
