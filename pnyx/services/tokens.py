"""Reader identity tokens: the signed bearer token a reader's browser keeps in localStorage."""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, SignatureExpired, URLSafeSerializer, URLSafeTimedSerializer

from pnyx.errors import Gone, Unauthorized

CONFIRM_MAX_AGE_S = 7 * 24 * 3600


class TokenSigner:
    """Signs identity ids into tokens, checks them back, and hashes client addresses with the same secret."""

    def __init__(self, secret: str) -> None:
        self._identity = URLSafeSerializer(secret, salt="pnyx.identity")
        self._confirm = URLSafeTimedSerializer(secret, salt="pnyx.subscription.confirm")
        self._unsubscribe = URLSafeSerializer(secret, salt="pnyx.subscription.unsubscribe")
        self._manage = URLSafeSerializer(secret, salt="pnyx.subscription.manage")
        self._feed = URLSafeSerializer(secret, salt="pnyx.feed.replies")
        self._address_key = hashlib.sha256(b"pnyx.address:" + secret.encode()).digest()

    def identity_token(self, identity_id: int) -> str:
        """A token naming this identity."""
        return str(self._identity.dumps({"i": identity_id}))

    def identity_id(self, token: str) -> int:
        """The identity a token names; raises Unauthorized for a forged or damaged token."""
        try:
            payload = self._identity.loads(token)
        except BadSignature as exc:
            raise Unauthorized(
                "Your reader token is not valid (it may come from another pnyx server). Sign out or clear this "
                "site's stored data, then try again."
            ) from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
            raise Unauthorized("Your reader token is not valid. Clear this site's stored data, then try again.")
        return int(payload["i"])

    def confirm_token(self, subscription_id: int) -> str:
        """A token that confirms this subscription within seven days."""
        return str(self._confirm.dumps({"s": subscription_id}))

    def confirmed_subscription(self, token: str) -> int:
        """The subscription a confirmation token names; raises Gone when expired, Unauthorized when damaged."""
        try:
            payload = self._confirm.loads(token, max_age=CONFIRM_MAX_AGE_S)
        except SignatureExpired as exc:
            raise Gone("This confirmation link is more than seven days old. Subscribe again to get a new one.") from exc
        except BadSignature as exc:
            raise _bad_link() from exc
        return _subscription_id(payload)

    def unsubscribe_token(self, subscription_id: int) -> str:
        """A token that ends this subscription; it does not expire."""
        return str(self._unsubscribe.dumps({"s": subscription_id}))

    def unsubscribed_subscription(self, token: str) -> int:
        """The subscription an unsubscribe token names; raises Unauthorized when damaged."""
        try:
            return _subscription_id(self._unsubscribe.loads(token))
        except BadSignature as exc:
            raise _bad_link() from exc

    def manage_token(self, email: str) -> str:
        """A token that opens the page managing every subscription of this address; it does not expire."""
        return str(self._manage.dumps({"e": email}))

    def managed_address(self, token: str) -> str:
        """The address a manage token names; raises Unauthorized when damaged."""
        try:
            payload = self._manage.loads(token)
        except BadSignature as exc:
            raise _bad_link() from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("e"), str):
            raise _bad_link()
        return str(payload["e"])

    def feed_token(self, identity_id: int) -> str:
        """A token in the URL of a reader's private "replies to me" feed; unlike the identity token it cannot write."""
        return str(self._feed.dumps({"i": identity_id}))

    def feed_identity(self, token: str) -> int:
        """The identity a feed token names; raises Unauthorized when damaged."""
        try:
            payload = self._feed.loads(token)
        except BadSignature as exc:
            raise _bad_link() from exc
        if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
            raise _bad_link()
        return int(payload["i"])

    def avatar_seed(self, identity_id: int | None, name: str | None) -> str:
        """A stable, non-reversible seed for a generated avatar: same writer, same picture."""
        subject = f"id:{identity_id}" if identity_id is not None else f"name:{name or ''}"
        return hmac.new(self._address_key, b"avatar:" + subject.encode(), hashlib.sha256).hexdigest()[:12]

    def namespace(self) -> str:
        """A short name for this deployment, derived from its secret, for keys in shared stores."""
        return hmac.new(self._address_key, b"namespace", hashlib.sha256).hexdigest()[:12]

    def address_hash(self, address_key: str) -> str:
        """A keyed hash of a client address: comparable for bans and limits, useless for tracking elsewhere."""
        return hmac.new(self._address_key, address_key.encode(), hashlib.sha256).hexdigest()[:32]


def _bad_link() -> Unauthorized:
    return Unauthorized(
        "This link is damaged or incomplete. Copy the whole link from the mail, or subscribe again.",
        code="invalid_link",
    )


def _subscription_id(payload: object) -> int:
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        raise _bad_link()
    return int(payload["s"])
