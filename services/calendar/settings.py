"""Read what the calendar's feeds say about their publisher from the environment."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.calendar.domain.rendering import Organizer


class OrganizerSettings(BaseSettings):
    """ORGANIZER of every published entry: the secretariat, unless configured otherwise."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True, env_prefix="CALENDAR_")

    organizer_name: str = Field("SECAS", description="ORGANIZER's CN in every feed entry")
    organizer_email: str = Field(
        "secas@sec.example.org", description="ORGANIZER's mailto address in every feed entry"
    )

    def organizer(self) -> Organizer:
        return Organizer(name=self.organizer_name, email=self.organizer_email)
