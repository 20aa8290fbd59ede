"""Request bodies, validated at the edge (domain parsing does the rest), and answers."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.notifier.domain.subscriptions import SubscriptionRequest, subscription_request
from shared.text import CleanText


class SubscribeBody(BaseModel):
    """`POST /api/v1/subscriptions`: strict, so `{"$gt": ""}` or a number is refused."""

    model_config = ConfigDict(extra="forbid", strict=True)

    email: CleanText = Field(max_length=320)
    topics: list[CleanText] = Field(min_length=1, max_length=100)
    digest: Literal["none", "daily", "weekly"] = "none"
    party_category: CleanText | None = Field(default=None, max_length=60)

    def to_request(self) -> SubscriptionRequest:
        return subscription_request(self.email, self.topics, self.digest, self.party_category)


class VerifyPartyBody(BaseModel):
    """`POST /api/v1/subscriptions/{id}/verify-party`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    verified: bool = True


class SubscribeAccepted(BaseModel):
    """The one answer to every subscribe request that passes validation."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["accepted"]
    detail: str


class VerifiedParty(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    verified_party: bool


class TokenQuery(BaseModel):
    """`?token=` of every link."""

    model_config = ConfigDict(extra="forbid", strict=True)

    token: CleanText = Field(min_length=1, max_length=256)
