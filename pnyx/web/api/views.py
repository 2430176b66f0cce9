"""Public JSON views of threads and comments. An author's e-mail never leaves the server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pnyx.domain.anchoring import Anchor
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


def anchor_view(anchor: Anchor) -> dict[str, Any]:
    """The passage or prompt a comment is about: ``label`` and ``question`` for a prompt, ``exact`` for a passage."""
    return {
        "id": anchor.id,
        "kind": anchor.kind.value,
        "label": anchor.label,
        "question": anchor.question,
        "exact": anchor.exact,
    }


def comment_view(comment: Comment, tokens: TokenSigner, anchor: Anchor | None = None) -> dict[str, Any]:
    """What every reader may see of one comment (with its ``anchor``); a deleted one keeps only its place."""
    view: dict[str, Any] = {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "reply_to_id": comment.reply_to_id,
        "depth": comment.depth,
        "status": comment.status.value,
        "created_at": comment.created_at,
        "anchor": anchor_view(anchor) if anchor else None,
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
        # "edited by moderator" after a moderator changed the text; readers are shown it beside the comment.
        "moderator_note": comment.moderator_note,
    }


def node_view(node: Node, tokens: TokenSigner, anchors: Mapping[int, Anchor]) -> dict[str, Any]:
    """A comment with its replies nested; ``anchors`` holds every anchor of the page by id."""
    anchor = anchors.get(node.comment.anchor_id) if node.comment.anchor_id is not None else None
    view = comment_view(node.comment, tokens, anchor)
    view["replies"] = [node_view(child, tokens, anchors) for child in node.replies]
    return view
