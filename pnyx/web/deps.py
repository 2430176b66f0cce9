"""Request dependencies: the services container and the reader behind a request."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from pnyx.domain.net import client_address
from pnyx.services.container import Services
from pnyx.services.readers import Reader, reader_from_token

BEARER = "bearer "


def get_services(request: Request) -> Services:
    """The container the app's lifespan built."""
    services: Services = request.app.state.services
    return services


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    return header[len(BEARER) :].strip() or None if header.lower().startswith(BEARER) else None


def get_reader(request: Request, services: Annotated[Services, Depends(get_services)]) -> Reader:
    """The reader: identity from the bearer token, address (proxies believed only if trusted), page origin."""
    peer = request.client.host if request.client else None
    address = client_address(peer, request.headers.get("x-forwarded-for"), services.settings.trusted_proxies)
    return reader_from_token(services, _bearer(request), address, request.headers.get("origin"))


ServicesDep = Annotated[Services, Depends(get_services)]
ReaderDep = Annotated[Reader, Depends(get_reader)]
