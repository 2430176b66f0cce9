"""Reading a posted HTML form: the one encoding browsers use for plain forms, parsed strictly.

Parsed here rather than by a form library: the request size is already capped, and refusing other
encodings and undecodable text with a sentence is all the checking a plain form needs.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request

from pnyx.errors import BadRequest

FORM_TYPE = "application/x-www-form-urlencoded"


def is_form(request: Request) -> bool:
    """Whether the request's body is a plain HTML form."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower() == FORM_TYPE


async def form_pairs(request: Request, max_fields: int) -> list[tuple[str, str]]:
    """Every (name, value) posted, in order; refuses other encodings, undecodable text and too many fields."""
    if not is_form(request):
        raise BadRequest(f"Send the form as {FORM_TYPE}, as a browser does.")
    try:
        text = (await request.body()).decode("utf-8")
        return parse_qsl(text, keep_blank_values=True, errors="strict", max_num_fields=max_fields)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("The form could not be read; please reload the page and send it again.") from exc


def first_values(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The first value posted under each name."""
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields
