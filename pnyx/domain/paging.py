"""Opaque keyset cursors for paging through a thread's top-level comments."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

import orjson

from pnyx.domain.models import MAX_ID, Comment, Sort
from pnyx.domain.ranking import RANK_SCALE, rank
from pnyx.errors import BadRequest

MAX_CURSOR_CHARS = 200


def sort_key(comment: Comment, sort: Sort) -> tuple[Any, int]:
    """The keyset position of a comment under ``sort`` (the stored rank is ``rank(up, down)``)."""
    return (rank(comment.up, comment.down) if sort is Sort.BEST else comment.created_at), comment.id


def encode_cursor(sort: Sort, position: tuple[Any, int]) -> str:
    """A cursor that resumes after ``position`` under ``sort``."""
    first, comment_id = position
    value = first.isoformat() if isinstance(first, datetime) else first
    raw = orjson.dumps([sort.value, value, comment_id])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: Sort) -> tuple[Any, int]:
    """The position a cursor names; refuses cursors that are damaged or made for another sort."""
    if len(cursor) > MAX_CURSOR_CHARS:
        raise BadRequest(
            "The cursor is too long; use the next_cursor value of the previous page.", code="invalid_cursor"
        )
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, first, comment_id = orjson.loads(raw)
        if name != sort.value:
            raise ValueError(name)
        position = _position(sort, first), _within(comment_id, MAX_ID)
    except (ValueError, TypeError, OverflowError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise BadRequest(
            "The cursor is not valid for this sort order; use the next_cursor value of the previous page.",
            code="invalid_cursor",
        ) from exc
    return position


def _within(value: Any, highest: int) -> int:
    # A hand-made cursor must not carry numbers the database cannot store.
    if type(value) is not int or not 0 <= value <= highest:
        raise ValueError(value)
    return value


def _position(sort: Sort, first: Any) -> Any:
    if sort is Sort.BEST:
        return _within(first, RANK_SCALE)
    moment = datetime.fromisoformat(first)
    if moment.tzinfo is None:
        raise ValueError(first)
    return moment.astimezone(UTC)  # OverflowError at the ends of the calendar
