"""Imports every module that defines tables, so `Base.metadata` is complete for migrations."""
from data import schema  # noqa: F401
