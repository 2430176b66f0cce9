"""Where a reply sits in a thread, and assembling a page of comments into a tree."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pnyx.domain.models import Comment, CommentStatus


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a new reply is stored: its parent, the thread root it belongs to, and its depth."""

    parent_id: int
    root_id: int
    depth: int


def place_reply(parent: Comment, max_depth: int) -> Placement:
    """A reply to ``parent``; below ``max_depth`` it is attached at the last level, beside its parent."""
    root_id = parent.root_id if parent.root_id is not None else parent.id
    if parent.depth + 1 <= max_depth or parent.parent_id is None:
        return Placement(parent_id=parent.id, root_id=root_id, depth=parent.depth + 1)
    return Placement(parent_id=parent.parent_id, root_id=root_id, depth=parent.depth)


@dataclass(slots=True)
class Node:
    """A comment with its visible replies."""

    comment: Comment
    replies: list[Node] = field(default_factory=list)


def build_forest(
    roots: Sequence[Comment], descendants: Iterable[Comment], reply_key: Callable[[Comment], Any]
) -> list[Node]:
    """Nest ``descendants`` under ``roots`` (kept in their order); replies ordered by ``reply_key``.

    Deleted comments stay only as placeholders above live replies.
    """
    nodes = {comment.id: Node(comment) for comment in roots}
    children = sorted(descendants, key=reply_key)
    nodes.update((comment.id, Node(comment)) for comment in children)
    for comment in children:
        parent = nodes.get(comment.parent_id) if comment.parent_id is not None else None
        if parent is not None:
            parent.replies.append(nodes[comment.id])
    return _prune([nodes[comment.id] for comment in roots])


def _prune(nodes: list[Node]) -> list[Node]:
    kept = []
    for node in nodes:
        node.replies = _prune(node.replies)
        if node.comment.status is not CommentStatus.DELETED or node.replies:
            kept.append(node)
    return kept
