"""The knowledge-file schema: one YAML file per source document.

This schema is a contract that moderators and tools depend on. Fields may be added;
none may be renamed or dropped.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100),
]
# Control characters (NUL, escape sequences, C1 codes…) have no place in a statement or a
# question: they break SQLite text, terminals and Telegram messages, and are never typed on
# purpose. Tabs and line breaks are whitespace (a YAML block scalar holds them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _no_control_characters(value: str) -> str:
    found = _CONTROL.search(value)
    if found:
        raise ValueError(f"contains the control character U+{ord(found.group()):04X} at character {found.start() + 1}")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_no_control_characters)]


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http:// or https:// URL (knowledge files and settings alike)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _http_url(value: str) -> str:
    if not is_http_url(value):
        raise ValueError("must be an http:// or https:// URL")
    return value


HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_http_url)]

_DAY_OR_MONTH = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def _day_or_month(value: object) -> str:
    # YAML reads an unquoted 2024-06-12 as a date, and 2024-06 as text: accept both.
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    match = _DAY_OR_MONTH.match(str(value).strip()) if isinstance(value, (str, int)) else None
    if match is None:
        raise ValueError("must be a date YYYY-MM-DD or a month YYYY-MM")
    year, month, day = match.groups()
    try:
        dt.date(int(year), int(month), int(day or 1))
    except ValueError:
        raise ValueError(f"{match.group()} is not a real {'date' if day else 'month'}") from None
    return match.group()


def _number_as_text(value: object) -> object:
    # An unquoted 13000 in a YAML list is read as a number; as a keyword it means the text.
    return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


Keyword = Annotated[Text, BeforeValidator(_number_as_text)]

# When a statement was made, to the day or the month: "2024-06-12" or "2024-06".
DayOrMonth = Annotated[str, BeforeValidator(_day_or_month)]


class Source(BaseModel):
    """The document a set of claims was curated from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    title: Text | None = None
    outlet: Text
    url: HttpUrl | None = None
    published: dt.date | None = None
    language: Text | None = None


class Claim(BaseModel):
    """One attributed statement, with the ways people would ask for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    statement: Text
    attributed_to: Text
    via: Text | None = None
    quote: Text | None = None
    said_on: DayOrMonth | None = None
    questions: list[Text] = Field(min_length=1)
    keywords: list[Keyword] = []
    tags: list[Text] = []


class KnowledgeFile(BaseModel):
    """The whole of one knowledge file."""

    model_config = ConfigDict(extra="forbid")

    source: Source
    claims: list[Claim]


class SourcedClaim(Claim):
    """A claim as the store serves it: with its source and where it was defined."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Source
    file: str = ""
    line: int = 0
