"""What the app's OpenAPI schema (``app.openapi()``) says each route may answer, so that the schema tells the truth:
the pages answer HTML (the page, or the error page), the API answers JSON in one error shape. The app serves the
schema nowhere (no ``/openapi.json``, no ``/docs``): the tests read it from the app object and fuzz the app from it
(tests/serve/test_serve_fuzz.py)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HTML = {"text/html": {"schema": {"type": "string"}}}


class ApiErrorBody(BaseModel):
    code: str
    message: str


class ApiError(BaseModel):
    """The one shape of every error of the JSON API."""

    error: ApiErrorBody


def _html(description: str) -> dict[str, Any]:
    return {"description": description, "content": _HTML}


# every page: the page itself, a redirect (to the login page, or after a form), or the error page
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    303: {"description": "Redirect: to the login page without a live session, or after a form was carried out"},
    400: _html("The form or the request could not be carried out (the page says why)"),
    401: _html("Wrong user name or password (the login form again)"),
    403: _html("The role may not open the page, or the form token is missing or the request came from another site"),
    404: _html("Not found, or outside the user's scope (the same answer)"),
    422: _html("A parameter is not valid (the error page names it)"),
    429: _html("Too many failed logins from the address (the login form again)"),
}
_API_ERRORS = {401: "No valid bearer token", 403: "The role may not do this, or the password must be changed first",
               404: "Not found, or outside the caller's scope (the same answer)", 400: "The request cannot be served",
               422: "A parameter is not valid (the error names it)"}
API_RESPONSES: dict[int | str, dict[str, Any]] = {status: {"model": ApiError, "description": text}
                                                  for status, text in _API_ERRORS.items()}
# a record's attachment: the file itself, inline in its own type or as a download
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file", "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
    500: _html("The stored file changed or vanished: it is not sent"),
}
XLSX_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "The workbook", "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}}


class LookupResult(BaseModel):
    """One citizen, organisation or parcel found (identifiers masked); the other keys say where it was read."""

    entity: str
    title: str
    birth: str
    ids: list[str]
    code: str
    address: str
    score: int
    link: str
    sources: list[dict[str, Any]]
    archive_only: bool
    golden_id: str | None
    record_id: str | None


class LookupAnswer(BaseModel):
    """``GET /api/lookup``: how the query was read, the other readings it allows, what was found in scope."""

    query: str
    kind: str
    reading: str
    readings: list[str]
    results: list[LookupResult]


class RecordAnswer(BaseModel):
    """``GET /api/record/{entity}/{key}``: a record page's data (identifiers masked, members outside the scope left
    out and counted in ``withheld``)."""

    entity: str
    key: str
    golden: dict[str, Any] | None
    fields: list[dict[str, Any]]
    members: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    address: dict[str, Any]
    dossiers: list[dict[str, Any]]
    parcels: list[dict[str, Any]]
    events: list[dict[str, Any]]
    history: list[dict[str, Any]]
    identifiers: list[str]
    withheld: int


class RevealAnswer(BaseModel):
    """``POST /api/reveal``: the one identifier asked for, in full (the request is in the audit log)."""

    entity: str
    key: str
    field: str
    value: str
