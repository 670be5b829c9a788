"""Text a user gives that must be stored alike by every backend: ids of bounded length, and
no NUL or lone surrogate (PostgreSQL refuses NUL, UTF-8 cannot encode a lone surrogate)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, Field

from .errors import InvalidUserError

__all__ = [
    "ESTIMATE_ID_MAX_LENGTH",
    "USER_ID_MAX_LENGTH",
    "EstimateId",
    "check_user_id",
    "storable",
    "text_problem",
]

# Both well inside PostgreSQL's B-tree limit (~2,700 bytes: 255 characters are at most
# 1,020 bytes of UTF-8), and the same on every backend.
USER_ID_MAX_LENGTH = 255
ESTIMATE_ID_MAX_LENGTH = 255

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored as it is, or ``None``."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return "contains a NUL character (\\u0000)"
    return "contains a lone surrogate character"


def storable(value: object) -> object:
    """``value`` itself, or ``ValueError`` if it is text no backend can store."""
    problem = text_problem(value) if isinstance(value, str) else None
    if problem is not None:
        raise ValueError(problem)
    return value


# Before pydantic's own str check, which refuses a lone surrogate in words of its own.
EstimateId = Annotated[str, BeforeValidator(storable), Field(max_length=ESTIMATE_ID_MAX_LENGTH)]


def check_user_id(user_id: str) -> str:
    """``user_id`` if every backend can store and index it; else ``InvalidUserError``."""
    if not isinstance(user_id, str) or not user_id:
        raise InvalidUserError("is empty")
    if len(user_id) > USER_ID_MAX_LENGTH:
        raise InvalidUserError(f"is longer than {USER_ID_MAX_LENGTH} characters")
    problem = text_problem(user_id)
    if problem is not None:
        raise InvalidUserError(problem)
    return user_id
