"""Run the notifier service: python -m services.notifier."""

from services.notifier.web.app import create_app
from shared.runner import run_service
from shared.settings import NotifierSettings

if __name__ == "__main__":
    run_service("notifier", NotifierSettings, create_app)
