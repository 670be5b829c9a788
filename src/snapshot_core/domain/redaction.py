"""Redaction: URLs and texts made safe to print, log or store (no password, no credential).

It works on the characters the user gave, never on a parse of them: a password may hold
``/``, ``#``, ``?``, ``@`` or ``:`` (which make URL parsers split it in odd places), and an
unparsable URL must not be echoed whole. Everything between ``://`` (or the start) and the
last ``@`` is the credential, except a plain user name before a ``:``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

__all__ = ["MASK", "redact_text", "redact_url", "url_secrets"]

MASK = "***"

# Query parameters that carry credentials in the wild: ?password=, ?api-key=, ?sig=, ?token=
_SECRET_NAME = r"[^&;#=?\s]*(?:pass|secret|token|key|auth|sig|credential)[^&;#=?\s]*"
_SECRET_QUERY = re.compile(rf"([?&;]{_SECRET_NAME}=)[^&;#\s]*", re.IGNORECASE)
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:/{1,3}")
_PLAIN_USER = re.compile(r"^[A-Za-z0-9._~%!$&'()*+,=\-]*$")  # no / ? # @ : or space
# A URL inside free text (an error message): a scheme, ://, then up to white space.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S+")
_PIECE_SEPARATORS = re.compile(r"[/#?@:\s]+")
_MIN_PIECE = 3  # shorter pieces of a password are too common to scrub from a message


def _split(url: str) -> tuple[str, str | None, str]:
    """(scheme prefix, credential part or None, the rest after the last ``@``)."""
    scheme = _SCHEME.match(url)
    start = scheme.end() if scheme else 0
    at = url.rfind("@", start)
    if at < 0:
        return url[:start], None, url[start:]
    return url[:start], url[start:at], url[at + 1 :]


def _user_and_secret(userinfo: str) -> tuple[str | None, str]:
    user, colon, secret = userinfo.partition(":")
    if colon and _PLAIN_USER.match(user):
        return user, secret
    if not colon and _PLAIN_USER.match(userinfo):
        return userinfo, ""  # a user name alone: no password to hide
    return None, userinfo


def redact_url(url: str) -> str:
    """``url`` with its password and credential-like query values replaced by ***.

    ``postgresql+psycopg://app:s3/cr#t@db/x?password=s3&sslmode=require`` becomes
    ``postgresql+psycopg://app:***@db/x?password=***&sslmode=require``, and so does any
    string, parsable or not: ``pg:/u:pw@h`` gives ``pg:/u:***@h``. A string with no ``@``
    and no credential in its query is returned unchanged.
    """
    scheme, userinfo, rest = _split(url)
    rest = _SECRET_QUERY.sub(rf"\g<1>{MASK}", rest)
    if userinfo is None:
        return scheme + rest
    user, secret = _user_and_secret(userinfo)
    if user is None:
        return f"{scheme}{MASK}@{rest}"
    return f"{scheme}{user}:{MASK}@{rest}" if secret else f"{scheme}{user}@{rest}"


def url_secrets(url: str) -> list[str]:
    """What ``redact_url`` hides in ``url``, and the pieces a parser may have cut it into
    (``a/b#c`` gives ``a/b#c``, ``abc`` and its decoded form), longest first."""
    _, userinfo, rest = _split(url)
    found = {match.group(0).split("=", 1)[1] for match in _SECRET_QUERY.finditer(rest)}
    if userinfo is not None:
        _, secret = _user_and_secret(userinfo)
        if secret:
            found |= {secret, unquote(secret)}
            found |= {p for p in _PIECE_SEPARATORS.split(secret) if len(p) >= _MIN_PIECE}
            found |= {p for p in _PIECE_SEPARATORS.split(unquote(secret)) if len(p) >= _MIN_PIECE}
    return sorted((s for s in found if s), key=len, reverse=True)


def redact_text(text: str, *urls: str | None) -> str:
    """``text`` (an error message, a driver's detail) with every URL in it redacted, and
    the secrets of ``urls`` (the configured ones) masked wherever they appear."""
    for url in urls:
        if url:
            for secret in url_secrets(url):
                text = text.replace(secret, MASK)
    return _URL_IN_TEXT.sub(lambda found: redact_url(found.group(0)), text)
