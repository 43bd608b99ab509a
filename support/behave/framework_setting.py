"""Which framework class the acceptance suite runs on: `framework = module:Class` in behave.ini's userdata.

The behave glue stays free of any system under test: the suite's configuration names the class (PRS's adds
its test data and assertions); without it the engine's own class is used.
"""
from __future__ import annotations

import importlib
from typing import Any

from support.behave.options import DEFAULT_FRAMEWORK


class FrameworkSettingError(Exception):
    """The configured framework cannot be built; the message names the setting."""


def build_framework(config: Any, spec: str | None = None) -> Any:
    spec = spec or config.userdata.get("framework", DEFAULT_FRAMEWORK)
    module_name, _, class_name = spec.partition(":")
    try:
        return getattr(importlib.import_module(module_name), class_name)()
    except (ImportError, AttributeError, ValueError, TypeError) as error:
        raise FrameworkSettingError(
            f"cannot build the framework named by 'framework = {spec}' (behave.ini [behave.userdata] or -D): "
            f"{type(error).__name__}: {error}"
        ) from None
