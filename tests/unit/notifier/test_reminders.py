"""Specify when reminders are due and that each has a send-once key."""

from __future__ import annotations

from datetime import UTC, datetime

from services.notifier.domain.reminders import ReminderKind, due_reminders

from .samples import consultation, meeting, webinar

CLOSES = datetime(2022, 2, 4, 17, 0, tzinfo=UTC)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2022, 2, day, hour, minute, tzinfo=UTC)


def test_nothing_is_due_more_than_three_days_before_closing() -> None:
    assert due_reminders(_at(1, 16, 59), [consultation()], []) == []


def test_three_day_reminder_is_due_three_days_before_closing() -> None:
    [reminder] = due_reminders(_at(1, 17), [consultation()], [])
    assert reminder.kind is ReminderKind.CONSULTATION_3D
    assert reminder.key == "reminder:consultation-3d:con-mp192-rc:2022-02-04T17:00:00+00:00"
    assert "consultations" in reminder.topics


def test_every_run_inside_the_window_yields_the_same_key() -> None:
    first = due_reminders(_at(1, 17), [consultation()], [])
    later = due_reminders(_at(2, 9), [consultation()], [])
    assert [r.key for r in first] == [r.key for r in later]


def test_one_day_reminder_replaces_the_three_day_one() -> None:
    [reminder] = due_reminders(_at(3, 18), [consultation()], [])
    assert reminder.kind is ReminderKind.CONSULTATION_1D


def test_moving_the_closing_date_later_gives_a_new_key() -> None:
    [before] = due_reminders(_at(1, 17), [consultation()], [])
    moved = consultation(closes_at="2022-02-05T17:00:00+00:00")
    [after] = due_reminders(_at(2, 17), [moved], [])
    assert before.key != after.key


def test_closed_or_past_consultations_get_no_reminder() -> None:
    assert due_reminders(_at(3, 18), [consultation(status="closed")], []) == []
    assert due_reminders(_at(4, 17), [consultation()], []) == []


def test_consultation_opened_inside_the_window_gets_no_reminder_for_it() -> None:
    late = consultation(opens_at="2022-02-02T09:00:00+00:00")
    assert due_reminders(_at(2, 10), [late], []) == []


def test_meeting_reminder_is_due_from_8am_london_the_day_before() -> None:
    cb = meeting()  # Wednesday 26 January 2022, 10:00
    assert due_reminders(datetime(2022, 1, 25, 7, 59, tzinfo=UTC), [], [cb]) == []
    [reminder] = due_reminders(datetime(2022, 1, 25, 8, 0, tzinfo=UTC), [], [cb])
    assert reminder.kind is ReminderKind.MEETING_TOMORROW
    assert reminder.key == "reminder:meeting-tomorrow:evt-cb-62:2022-01-26T10:00:00+00:00"
    assert due_reminders(datetime(2022, 1, 26, 0, 0, tzinfo=UTC), [], [cb]) == []


def test_meeting_reminder_uses_british_summer_time() -> None:
    summer = meeting(starts_at="2022-06-15T09:00:00+00:00", ends_at="2022-06-15T12:00:00+00:00")
    # 08:00 BST on 14 June is 07:00 UTC.
    assert due_reminders(datetime(2022, 6, 14, 7, 0, tzinfo=UTC), [], [summer]) != []


def test_cancelled_meetings_and_deadlines_get_no_reminder() -> None:
    day_before = datetime(2022, 1, 25, 12, 0, tzinfo=UTC)
    assert due_reminders(day_before, [], [meeting(status="cancelled")]) == []
    assert due_reminders(day_before, [], [meeting(type="consultation-deadline")]) == []


def test_webinars_get_a_reminder_too() -> None:
    assert due_reminders(datetime(2022, 1, 27, 12, 0, tzinfo=UTC), [], [webinar()]) != []
