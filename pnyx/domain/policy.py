"""A site's moderation policy: what holds a comment for review, what refuses it, and when to alert moderators.

It lives in the site's ``settings`` JSON under ``moderation``; a missing or partial entry means the defaults.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

Premoderation = Literal["none", "all", "first_time", "links"]
PREMODERATION: tuple[Premoderation, ...] = ("none", "all", "first_time", "links")
POLICY_KEY = "moderation"


@dataclass(frozen=True, slots=True)
class Policy:
    """How one site moderates."""

    # "none": publish at once; "all": hold every comment; "first_time": hold a reader's first comment
    # on the site; "links": hold comments with links. Hold-words and a high spam score hold in every mode.
    premoderation: Premoderation = "none"
    # Whole words (Unicode-aware, leetspeak folded): banned ones refuse a comment, hold ones hold it.
    banned_words: tuple[str, ...] = ()
    hold_words: tuple[str, ...] = ()
    # More links than this refuses a comment (0: no links at all).
    max_links: int = 5
    # Comments close this many days after an article's first comment (0: never).
    close_after_days: int = 0
    # Distinct readers whose reports hide a comment until a moderator reviews it (0: never hide).
    report_threshold: int = 3
    # A local spam score (0-100) at or above this holds a comment as spam (0: never hold by score).
    spam_threshold: int = 70
    # When the pending and reported queues together pass this size, moderators are told (0: never).
    queue_alert_size: int = 0
    # Who is told: e-mail addresses; empty means the site's moderators.
    queue_alert_emails: tuple[str, ...] = field(default=())


def policy_of(settings: dict[str, object]) -> Policy:
    """The policy stored in a site's settings, defaults filling what is missing; unknown keys are ignored."""
    stored = settings.get(POLICY_KEY)
    if not isinstance(stored, dict):
        return Policy()
    known = {f.name for f in fields(Policy)}
    values: dict[str, Any] = {}
    for name, value in stored.items():
        if name in known:
            values[name] = tuple(value) if isinstance(value, list) else value
    return Policy(**values)


def policy_settings(policy: Policy) -> dict[str, object]:
    """The JSON form of a policy, to store under ``settings["moderation"]``."""
    return {name: list(value) if isinstance(value, tuple) else value for name, value in asdict(policy).items()}
