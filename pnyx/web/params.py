"""Query parameters that many routes share, declared once with their documentation."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

SiteParam = Annotated[str, Query(description="The site's slug.")]
KeyParam = Annotated[str, Query(description="The thread: explicit id or article URL.")]
