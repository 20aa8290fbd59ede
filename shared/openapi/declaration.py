"""Declare each JSON API operation once: the route, its guard and its documentation.

A view is put on the router only through `Operations`, so no route exists without the
description the OpenAPI document and the docs page are built from; the roles it names
are the ones the guard enforces, and its models are the ones the view validates with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from pydantic import BaseModel

from shared.auth import requires

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Reply:
    """One documented answer: what it means, its body's model and the headers it sets."""

    description: str
    model: type[BaseModel] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


@dataclass(frozen=True)
class PathParam:
    """A `{name}` segment of a path: what it names, and a value the docs page shows."""

    description: str
    example: str


@dataclass(frozen=True)
class Header:
    """A request header an operation reads."""

    name: str
    description: str
    required: bool = False


IF_MATCH = Header("If-Match", 'The ETag you read, e.g. "3": the change applies to that version.')
IF_MATCH_REQUIRED = Header(IF_MATCH.name, IF_MATCH.description, required=True)
IF_NONE_MATCH = Header("If-None-Match", "An ETag you hold: 304 if it is still current.")
ETAG = {"ETag": "The version of what the body shows; send it back as If-Match to change it."}


@dataclass(frozen=True)
class Operation:
    """A method on a path: what it does, who may call it, what it reads and answers."""

    method: str
    path: str
    view: Handler
    summary: str
    tag: str
    replies: Mapping[int, Reply]
    description: str = ""
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    path_params: Mapping[str, PathParam] = field(default_factory=dict)
    headers: Sequence[Header] = ()
    roles: Sequence[str] = ()
    # Errors this operation's own logic answers with (status -> when); the document
    # adds those every operation of its kind shares (bad token, bad body...).
    problems: Mapping[int, str] = field(default_factory=dict)
    example: Mapping[str, Any] | None = None

    @property
    def operation_id(self) -> str:
        return getattr(self.view, "__name__", f"{self.method.lower()}_{self.path}")


class Operations:
    """The operations of one API module, in the order they are declared."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.items: list[Operation] = []

    def add(
        self,
        method: str,
        path: str,
        *,
        summary: str,
        replies: Mapping[int, Reply],
        description: str = "",
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        path_params: Mapping[str, PathParam] | None = None,
        headers: Sequence[Header] = (),
        roles: Sequence[str] = (),
        problems: Mapping[int, str] | None = None,
        example: Mapping[str, Any] | None = None,
    ) -> Callable[[Handler], Handler]:
        """Decorate a view: declare it, and guard it with `roles` when it names any."""

        def declare(view: Handler) -> Handler:
            guarded = requires(*roles)(view) if roles else view
            self.items.append(
                Operation(
                    method=method,
                    path=path,
                    view=guarded,
                    summary=summary,
                    tag=self.tag,
                    replies=replies,
                    description=description,
                    body=body,
                    query=query,
                    path_params=path_params or {},
                    headers=headers,
                    roles=tuple(roles),
                    problems=problems or {},
                    example=example,
                )
            )
            return guarded

        return declare
