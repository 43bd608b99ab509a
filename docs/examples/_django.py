"""Shared by the examples: make the repository importable and set Django up for PRS."""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def setup() -> None:
    sys.path.insert(0, str(ROOT))
    # The report goes to reports/report.json under the repository root (or PRS_EXAMPLES_WORKDIR, for tests).
    os.chdir(os.environ.get("PRS_EXAMPLES_WORKDIR") or ROOT)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
    os.environ.setdefault("PRS_FAST_HASHER", "1")
    import django

    django.setup()
