"""The demo: a made-up newspaper on a second origin whose articles embed pnyx, with seeded threads.

``seed`` creates the ``demo`` site and its threads, ``site`` serves the publisher's pages, ``server``
runs both servers in one process for ``pnyx demo``.
"""

from pnyx.demo.seed import (
    DEMO_EDITOR,
    DEMO_KEY,
    DEMO_SITE,
    DEMO_TITLE,
    SEED,
    demo_editor,
    demo_page_origin,
    prepare_demo,
)

__all__ = [
    "DEMO_EDITOR",
    "DEMO_KEY",
    "DEMO_SITE",
    "DEMO_TITLE",
    "SEED",
    "demo_editor",
    "demo_page_origin",
    "prepare_demo",
]
