"""Run the registry service: python -m services.registry."""

from services.registry.web.app import create_app
from shared.runner import run_service
from shared.settings import RegistrySettings

if __name__ == "__main__":
    run_service("registry", RegistrySettings, create_app)
