"""What an outbox message holds: the payload of a mail, with a Message-ID fixed when it is enqueued."""

from __future__ import annotations

import hashlib
from typing import Any

MAIL = "mail"


def message_id(dedupe_key: str, host: str) -> str:
    """A Message-ID derived from the dedupe key: a mail sent again after a crash repeats it, so receivers drop it."""
    # Hashed: a dedupe key may hold characters a Message-ID may not.
    digest = hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]
    return f"<outbox-{digest}@{host}>"


def mail_payload(
    *,
    to: str,
    subject: str,
    text: str,
    dedupe_key: str,
    host: str,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The JSON payload of an outbox row of kind ``mail``."""
    return {
        "to": to,
        "subject": subject,
        "text": text,
        "html": html,
        "message_id": message_id(dedupe_key, host),
        "headers": dict(headers or {}),
    }
