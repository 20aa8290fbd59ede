"""Run the calendar service: python -m services.calendar."""

from services.calendar.web.app import create_app
from shared.runner import run_service
from shared.settings import CalendarSettings

if __name__ == "__main__":
    run_service("calendar", CalendarSettings, create_app)
