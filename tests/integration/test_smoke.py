from __future__ import annotations

from tests.factories import Api, Reader


async def test_a_guest_posts_and_reads(api: Api) -> None:
    reader = Reader()
    key = api.article()
    comment = await api.post_ok(reader, key, "Hello **world**")
    assert reader.token
    assert comment["body_html"] == "<p>Hello <strong>world</strong></p>"
    page = await api.page(key)
    assert page["total"] == 1
    assert [c["id"] for c in page["comments"]] == [comment["id"]]
