"""The knowledge-file schema: one YAML file per source document.

This schema is a contract that moderators and tools depend on. Fields may be added;
none may be renamed or dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=100),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def is_http_url(value: str) -> bool:
    """Whether ``value`` is an absolute http:// or https:// URL (knowledge files and settings alike)."""
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _http_url(value: str) -> str:
    if not is_http_url(value):
        raise ValueError("must be an http:// or https:// URL")
    return value


HttpUrl = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_http_url)]


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
    questions: list[Text] = Field(min_length=1)
    keywords: list[Text] = []
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
