"""Public JSON views of threads and comments. An author's e-mail never leaves the server."""

from __future__ import annotations

from typing import Any

from pnyx.domain.models import Comment, CommentStatus, Thread
from pnyx.domain.threading import Node
from pnyx.services.tokens import TokenSigner


def thread_view(thread: Thread) -> dict[str, Any]:
    """What every reader may see of a thread."""
    return {
        "key": thread.key,
        "url": thread.url,
        "title": thread.title,
        "closed": thread.closed,
        "comment_count": thread.comment_count,
        "points": thread.points,
        "points_up": thread.points_up,
        "points_down": thread.points_down,
        "version": thread.version,
    }


def comment_view(comment: Comment, tokens: TokenSigner) -> dict[str, Any]:
    """What every reader may see of one comment; a deleted one keeps only its place."""
    view: dict[str, Any] = {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "reply_to_id": comment.reply_to_id,
        "depth": comment.depth,
        "status": comment.status.value,
        "created_at": comment.created_at,
        "replies": [],
    }
    if comment.status is CommentStatus.DELETED:
        return {**view, "author": None, "body_html": "", "up": 0, "down": 0, "edited_at": None}
    return {
        **view,
        "author": {
            "name": comment.author_name,
            "website": comment.website,
            "avatar": tokens.avatar_seed(comment.identity_id, comment.author_name),
        },
        "body_html": comment.body_html,
        "up": comment.up,
        "down": comment.down,
        "pinned": comment.pinned,
        "featured": comment.featured,
        "edited_at": comment.edited_at,
    }


def node_view(node: Node, tokens: TokenSigner) -> dict[str, Any]:
    """A comment with its replies nested."""
    view = comment_view(node.comment, tokens)
    view["replies"] = [node_view(child, tokens) for child in node.replies]
    return view
