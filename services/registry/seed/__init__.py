"""Ship the register of the seed documents as data for the development default."""

from services.registry.seed.loader import SeedData, SeedError, StatusObservation, load_seed

__all__ = ["SeedData", "SeedError", "StatusObservation", "load_seed"]
