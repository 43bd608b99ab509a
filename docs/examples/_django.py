"""Shared by the examples: make the repository importable and set Django up for PRS."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)  # the report goes to reports/report.json at the repository root
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prs.settings")
    os.environ.setdefault("PRS_FAST_HASHER", "1")
    import django

    django.setup()
