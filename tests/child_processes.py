"""Environment for processes a test starts (behave, examples, manage.py): each gets test databases of its own.

A child that inherited this run's PRS_TEST_DB_SUFFIX would ask PostgreSQL for the very test database the
parent holds open ("already exists"); on SQLite the process id keeps them apart already.
"""
from __future__ import annotations

import os
import uuid


def child_env(label: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PRS_FAST_HASHER": "1",
        "PRS_TEST_DB_SUFFIX": f"{label}_{uuid.uuid4().hex[:8]}",
        **extra,
    }
