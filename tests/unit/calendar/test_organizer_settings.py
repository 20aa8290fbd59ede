"""Specify where the feeds' ORGANIZER comes from: configuration, defaulting to the secretariat."""

from __future__ import annotations

import pytest

from services.calendar.domain.rendering import DEFAULT_ORGANIZER, Organizer
from shared.settings import CalendarSettings


def organizer_of(settings: CalendarSettings) -> Organizer:
    return Organizer(settings.calendar_organizer_name, settings.calendar_organizer_email)


def test_the_organizer_defaults_to_the_secretariat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CALENDAR_ORGANIZER_NAME", raising=False)
    monkeypatch.delenv("CALENDAR_ORGANIZER_EMAIL", raising=False)
    settings = CalendarSettings(secret_key="k")  # type: ignore[arg-type]
    assert organizer_of(settings) == DEFAULT_ORGANIZER == Organizer()


def test_the_organizer_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CALENDAR_ORGANIZER_NAME", "SEC Administrator")
    monkeypatch.setenv("CALENDAR_ORGANIZER_EMAIL", "secas@example.org")
    settings = CalendarSettings(secret_key="k")  # type: ignore[arg-type]
    assert organizer_of(settings) == Organizer("SEC Administrator", "secas@example.org")
