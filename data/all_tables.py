"""Imports every module that defines tables, so `Base.metadata` is complete for migrations."""
from data import access_tables, interview_tables, ledger_tables, schema  # noqa: F401
from data import activity_tables  # noqa: F401
