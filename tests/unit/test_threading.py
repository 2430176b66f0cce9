"""Where a reply sits, and a page of comments assembled into a tree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from pnyx.domain.models import BodyFormat, Comment, CommentStatus
from pnyx.domain.threading import Node, Placement, build_forest, place_reply

T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)


def comment(
    number: int,
    parent: Comment | None = None,
    *,
    status: CommentStatus = CommentStatus.APPROVED,
    minute: int | None = None,
    max_depth: int = 5,
) -> Comment:
    """A comment in thread 1; a reply is placed by the rule under test, like the service does."""
    place = place_reply(parent, max_depth) if parent is not None else None
    return Comment(
        id=number,
        thread_id=1,
        parent_id=place.parent_id if place else None,
        root_id=place.root_id if place else None,
        reply_to_id=parent.id if parent else None,
        depth=place.depth if place else 0,
        identity_id=None,
        author_name=None,
        author_email=None,
        website=None,
        body_source=f"comment {number}",
        body_format=BodyFormat.MARKDOWN,
        body_html=f"<p>comment {number}</p>",
        status=status,
        up=0,
        down=0,
        pinned=False,
        featured=False,
        created_at=T0 + timedelta(minutes=number if minute is None else minute),
        edited_at=None,
    )


def by_time(c: Comment) -> tuple[datetime, int]:
    return c.created_at, c.id


def shape(nodes: list[Node]) -> list[tuple[int, list[object]]]:
    return [(node.comment.id, shape(node.replies)) for node in nodes]


def test_reply_to_top_level() -> None:
    top = comment(1)
    assert place_reply(top, max_depth=5) == Placement(parent_id=1, root_id=1, depth=1)


def test_replies_deepen_up_to_max_depth() -> None:
    chain = [comment(1, max_depth=3)]
    for number in range(2, 5):
        chain.append(comment(number, chain[-1], max_depth=3))
    assert [(c.id, c.parent_id, c.root_id, c.depth) for c in chain] == [
        (1, None, None, 0),
        (2, 1, 1, 1),
        (3, 2, 1, 2),
        (4, 3, 1, 3),
    ]


def test_reply_below_max_depth_is_attached_at_the_last_level() -> None:
    top = comment(1, max_depth=3)
    second = comment(2, top, max_depth=3)
    third = comment(3, second, max_depth=3)
    deepest = comment(4, third, max_depth=3)
    assert deepest.depth == 3
    # Beside the comment replied to: same parent, same depth, same root.
    assert place_reply(deepest, max_depth=3) == Placement(parent_id=3, root_id=1, depth=3)
    beside = comment(5, deepest, max_depth=3)
    assert place_reply(beside, max_depth=3) == Placement(parent_id=3, root_id=1, depth=3)
    assert beside.reply_to_id == 4


def test_max_depth_one_keeps_a_flat_list_of_replies() -> None:
    top = comment(1, max_depth=1)
    reply = comment(2, top, max_depth=1)
    reply_to_reply = comment(3, reply, max_depth=1)
    assert (reply.parent_id, reply.depth) == (1, 1)
    assert (reply_to_reply.parent_id, reply_to_reply.root_id, reply_to_reply.depth) == (1, 1, 1)
    assert reply_to_reply.reply_to_id == 2


@given(st.integers(min_value=1, max_value=8), st.lists(st.integers(min_value=0, max_value=50), max_size=30))
def test_placement_invariants(max_depth: int, choices: list[int]) -> None:
    """Replying to random earlier comments never passes max_depth and always keeps the top-level root."""
    thread = [comment(1, max_depth=max_depth)]
    for number, choice in enumerate(choices, start=2):
        parent = thread[choice % len(thread)]
        reply = comment(number, parent, max_depth=max_depth)
        by_id = {c.id: c for c in thread}
        assert 1 <= reply.depth <= max_depth
        assert reply.root_id == 1
        assert reply.parent_id is not None and by_id[reply.parent_id].depth == reply.depth - 1
        thread.append(reply)


def test_build_forest_nests_replies() -> None:
    a = comment(1)
    a1 = comment(2, a)
    a1x = comment(3, a1)
    b = comment(4)
    b1 = comment(5, b)
    forest = build_forest([a, b], [b1, a1x, a1], by_time)
    assert shape(forest) == [(1, [(2, [(3, [])])]), (4, [(5, [])])]


def test_build_forest_keeps_the_given_order_of_roots() -> None:
    roots = [comment(3), comment(1), comment(2)]
    assert [node.comment.id for node in build_forest(roots, [], by_time)] == [3, 1, 2]


def test_build_forest_orders_replies_by_key() -> None:
    top = comment(1)
    replies = [comment(4, top, minute=30), comment(2, top, minute=50), comment(3, top, minute=10)]
    assert shape(build_forest([top], replies, by_time)) == [(1, [(3, []), (4, []), (2, [])])]
    newest_first = build_forest([top], replies, lambda c: (-c.created_at.timestamp(), c.id))
    assert shape(newest_first) == [(1, [(2, []), (4, []), (3, [])])]


def test_deleted_comment_without_live_replies_is_dropped() -> None:
    top = comment(1)
    gone = comment(2, top, status=CommentStatus.DELETED)
    kept = comment(3, top)
    assert shape(build_forest([top], [gone, kept], by_time)) == [(1, [(3, [])])]
    deleted_top = comment(4, status=CommentStatus.DELETED)
    assert build_forest([deleted_top], [], by_time) == []


def test_deleted_comment_with_a_live_reply_stays_as_placeholder() -> None:
    top = comment(1, status=CommentStatus.DELETED)
    middle = comment(2, top, status=CommentStatus.DELETED)
    live = comment(3, middle)
    forest = build_forest([top], [middle, live], by_time)
    assert shape(forest) == [(1, [(2, [(3, [])])])]
    assert forest[0].comment.status is CommentStatus.DELETED


def test_deleted_leaf_under_deleted_parent_are_both_dropped() -> None:
    top = comment(1)
    parent = comment(2, top, status=CommentStatus.DELETED)
    leaf = comment(3, parent, status=CommentStatus.DELETED)
    sibling = comment(4, top)
    assert shape(build_forest([top], [parent, leaf, sibling], by_time)) == [(1, [(4, [])])]


def test_replies_of_other_roots_are_left_out() -> None:
    top = comment(1)
    elsewhere = comment(2)
    stray = comment(3, elsewhere)
    assert shape(build_forest([top], [stray], by_time)) == [(1, [])]
