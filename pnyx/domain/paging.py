"""Opaque keyset cursors for paging through a thread's top-level comments."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Any

import orjson

from pnyx.domain.models import Comment, Sort
from pnyx.domain.ranking import rank
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
        if name != sort.value or not isinstance(comment_id, int):
            raise ValueError(name)
        position = (int(first) if sort is Sort.BEST else datetime.fromisoformat(first)), comment_id
    except (ValueError, TypeError, binascii.Error, orjson.JSONDecodeError) as exc:
        raise BadRequest(
            "The cursor is not valid for this sort order; use the next_cursor value of the previous page.",
            code="invalid_cursor",
        ) from exc
    return position
