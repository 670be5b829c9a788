"""Redaction: URLs made safe to print, log or store (no password, no credential-like query)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

__all__ = ["redact_url"]

# Query parameters that carry credentials in the wild: ?password=, ?api-key=, ?sig=, ?token=
_SECRET_NAME = re.compile(r"pass|secret|token|key|auth|sig|credential", re.IGNORECASE)
MASK = "***"


def redact_url(url: str) -> str:
    """``url`` with the userinfo password and credential-like query values replaced by ***.

    ``postgresql+psycopg://app:s3cret@db/x?password=s3cret&sslmode=require`` becomes
    ``postgresql+psycopg://app:***@db/x?password=***&sslmode=require``. Text that is not a
    URL is returned unchanged.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return MASK  # unparsable, and it might be anything: show nothing of it
    if not parts.scheme or "://" not in url:
        return url
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        user, has_password, _ = userinfo.partition(":")
        netloc = f"{user}:{MASK}@{host}" if has_password else f"{user}@{host}"
    query = "&".join(
        f"{name}={MASK}" if _SECRET_NAME.search(name) else f"{name}={value}"
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
    )
    return (
        f"{parts.scheme}://{netloc}{parts.path}"
        + (f"?{query}" if query else "")
        + (f"#{parts.fragment}" if parts.fragment else "")
    )
