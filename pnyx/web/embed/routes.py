"""The embed routes gathered into one router, mounted by pnyx.web.routes."""

from __future__ import annotations

from fastapi import APIRouter

from pnyx.web.embed import assets, counts, forms, fragments

router = APIRouter(include_in_schema=False)
router.include_router(fragments.router)
router.include_router(forms.router)
router.include_router(counts.router)
router.include_router(assets.router)
