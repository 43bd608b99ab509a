"""behave hooks for the acceptance suite (behave loads this file from the folder that holds steps/).

Django is set up here, at import, because behave imports the step modules (which import models and
factories) right after this file and before any hook runs. The hooks themselves live in support.behave.hooks.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "support.prs.settings")
# Test users need no costly password hashing (PBKDF2's million rounds would dominate the suite).
os.environ.setdefault("PRS_FAST_HASHER", "1")
django.setup()

from support.behave.hooks import (  # noqa: E402  (after django.setup on purpose)
    after_all,
    after_scenario,
    before_all,
    before_scenario,
    before_step,
)

__all__ = ["after_all", "after_scenario", "before_all", "before_scenario", "before_step"]
