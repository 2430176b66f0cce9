"""The demo: a site named ``demo`` with a thread seeded so the API has something to show."""

from __future__ import annotations

from pnyx.errors import Conflict
from pnyx.services import comments as comment_service
from pnyx.services import reading
from pnyx.services import sites as site_service
from pnyx.services import votes as vote_service
from pnyx.services.container import Services
from pnyx.services.readers import Reader
from pnyx.services.threads import ThreadRef

DEMO_SITE = "demo"
DEMO_KEY = "four-day-week"
DEMO_TITLE = "The four-day week is a newsroom's best recruiting tool"

SEED = [
    ("Marta", "Our desk tried it for a quarter. Output held steady; sick days fell by a third.", None),
    ("Tomasz", "Works for features. Breaking news does not keep office hours.", 0),
    ("Marta", "True, which is why we staggered the days off rather than closing on Fridays.", 1),
    ("Ines", "The piece skips the pay question: is it four days for five days' salary?", None),
]


def demo_page_origin(port: int) -> list[str]:
    """Origins of the demo publisher page, served one port above pnyx."""
    return [f"http://127.0.0.1:{port + 1}", f"http://localhost:{port + 1}"]


async def prepare_demo(services: Services, port: int) -> None:
    """Create the demo site and seed its thread once; later starts leave existing data alone."""
    try:
        await site_service.add_site(services, DEMO_SITE, demo_page_origin(port), "pnyx demo")
    except Conflict:
        await site_service.set_origins(services, DEMO_SITE, demo_page_origin(port))
    page = await reading.list_comments(services, reading.PageRequest(DEMO_SITE, DEMO_KEY))
    if page.thread is not None:
        return
    ref = ThreadRef(DEMO_SITE, DEMO_KEY, f"{demo_page_origin(port)[0]}/opinion/four-day-week", DEMO_TITLE)
    posted: list[int] = []
    for name, body, parent in SEED:
        parent_id = posted[parent] if parent is not None else None
        post = comment_service.NewPost(thread=ref, body=body, parent_id=parent_id, author_name=name)
        result = await comment_service.post_comment(services, post, Reader())
        posted.append(result.comment.id)
    for value in (1, 1, 1, -1):
        await vote_service.vote_thread(services, ref, value, Reader())
    await vote_service.vote_comment(services, posted[0], 1, Reader())
