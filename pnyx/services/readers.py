"""Who is writing: the reader's token, address and page origin, and minting guest identities."""

from __future__ import annotations

from dataclasses import dataclass

from pnyx.domain.net import address_key
from pnyx.errors import Forbidden, Unauthorized
from pnyx.services.container import Services
from pnyx.services.ratelimit import Actor
from pnyx.store import identities as identity_store
from pnyx.store.engine import Conn


@dataclass(frozen=True, slots=True)
class Reader:
    """What the web layer knows about the person behind a request."""

    identity_id: int | None = None
    address: str | None = None
    origin: str | None = None


@dataclass(frozen=True, slots=True)
class Writer:
    """The identity a write is recorded under, and the token to hand back when it was just minted."""

    identity_id: int
    new_token: str | None
    # Read with the identity it writes as: a shadow-banned writer's comment is stored shadow.
    shadowbanned: bool = False


def reader_from_token(services: Services, token: str | None, address: str | None, origin: str | None) -> Reader:
    """A Reader from the raw bearer token (checked here) and request facts."""
    identity_id = services.tokens.identity_id(token) if token else None
    return Reader(identity_id=identity_id, address=address, origin=origin)


def actor_of(services: Services, reader: Reader) -> Actor:
    """The keys rate limits count this reader under."""
    address = services.tokens.address_hash(address_key(reader.address)) if reader.address else None
    return Actor(identity_id=reader.identity_id, address_hash=address)


async def writer_for(conn: Conn, services: Services, reader: Reader) -> Writer:
    """The reader's identity, minting a guest one on a first write; banned identities are refused."""
    if reader.identity_id is None:
        guest = await identity_store.insert_guest(conn, services.clock())
        return Writer(guest.id, services.tokens.identity_token(guest.id))
    identity = await identity_store.get_identity(conn, reader.identity_id)
    if identity is None:
        raise Unauthorized("Your reader token names an identity this server no longer has. Clear this site's data.")
    if identity.banned:
        raise Forbidden("This account may no longer comment or vote on this site.", code="banned")
    return Writer(identity.id, None, identity.shadowbanned)
