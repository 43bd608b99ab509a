"""PRS knows nothing of its tests: no module of prs/ imports the test tooling, and its settings are the product's
only (what the tests need on top lives in support/prs/settings.py)."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

PRS = Path(__file__).resolve().parents[2] / "prs"
TOOLING = ("support", "steps", "tests", "behave", "pytest", "factory", "allure_behave")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
    return names


def test_no_module_of_prs_imports_the_test_tooling() -> None:
    offenders = {
        str(path.relative_to(PRS.parent)): sorted(n for n in _imported(path) if n.split(".")[0] in TOOLING)
        for path in PRS.rglob("*.py")
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_product_settings_name_no_test_concern() -> None:
    text = (PRS / "settings.py").read_text(encoding="utf-8")
    assert "support." not in text and "PRS_TEST_DB_SUFFIX" not in text and "PRS_FAST_HASHER" not in text
    product = importlib.import_module("prs.settings")
    assert "TEST" not in product.DATABASES["default"]
    assert product.PASSWORD_HASHERS == ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    assert "support.seeding" not in product.INSTALLED_APPS


def test_the_test_settings_add_the_test_concerns() -> None:
    from django.conf import settings

    assert "support.seeding" in settings.INSTALLED_APPS
    assert "TEST" in settings.DATABASES["default"]
