"""Declare JSON API operations once; serve them with an OpenAPI 3.1 document and a docs page."""

from shared.openapi.declaration import (
    ETAG,
    IF_MATCH,
    IF_MATCH_REQUIRED,
    IF_NONE_MATCH,
    Header,
    Operation,
    Operations,
    PathParam,
    Reply,
)
from shared.openapi.serve import CATALOGUE, publish

__all__ = [
    "CATALOGUE",
    "ETAG",
    "IF_MATCH",
    "IF_MATCH_REQUIRED",
    "IF_NONE_MATCH",
    "Header",
    "Operation",
    "Operations",
    "PathParam",
    "Reply",
    "publish",
]
