"""Errors that reach a person, each with a stable code and an HTTP status.

    PnyxError                      500 (never raised on purpose: a bug)
    ├── BadRequest                 400  bad_request, invalid_json, invalid_cursor
    ├── Unauthorized               401  invalid_token, invalid_link
    ├── Forbidden                  403  forbidden, origin_not_allowed, not_owner,
    │                                   edit_window_closed, thread_closed, banned
    ├── NotFound                   404  not_found
    ├── Conflict                   409  conflict
    ├── Gone                       410  link_expired
    ├── TooLarge                   413  too_large
    ├── Invalid                    422  invalid
    ├── RateLimited                429  rate_limited (carries retry_after seconds)
    └── ConfigError                raised at start-up for unsafe or broken settings

The web layer maps each by type to ``{"error": code, "detail": sentence}``.
"""

from __future__ import annotations


class PnyxError(Exception):
    """Base of every error pnyx reports to a person."""

    status = 500
    code = "internal"

    def __init__(self, detail: str, *, code: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code


class BadRequest(PnyxError):
    status = 400
    code = "bad_request"


class Unauthorized(PnyxError):
    status = 401
    code = "invalid_token"


class Forbidden(PnyxError):
    status = 403
    code = "forbidden"


class NotFound(PnyxError):
    status = 404
    code = "not_found"


class Conflict(PnyxError):
    status = 409
    code = "conflict"


class Gone(PnyxError):
    status = 410
    code = "link_expired"


class TooLarge(PnyxError):
    status = 413
    code = "too_large"


class Invalid(PnyxError):
    status = 422
    code = "invalid"


class RateLimited(PnyxError):
    status = 429
    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ConfigError(PnyxError):
    """Settings that are unsafe or cannot work; raised before anything is opened."""

    code = "config"
