"""Semantic versions of contracts: MAJOR.MINOR.PATCH, and which bump a set of changes needs."""
from __future__ import annotations

import re

_SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")

# Bumps from smallest to largest; "none" = same version.
BUMPS = ("none", "patch", "minor", "major")


def parse_version(version: str) -> tuple[int, int, int]:
    match = _SEMVER.match(version or "")
    if not match:
        raise ValueError(f"version {version!r} is not semantic MAJOR.MINOR.PATCH (e.g. '1.2.0')")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def bump_between(old: str, new: str) -> str:
    """The bump from old to new: 'none', 'patch', 'minor', 'major', or 'downgrade'."""
    before, after = parse_version(old), parse_version(new)
    if after < before:
        return "downgrade"
    if after[0] > before[0]:
        return "major"
    if after[1] > before[1]:
        return "minor"
    if after[2] > before[2]:
        return "patch"
    return "none"


def bump_satisfies(actual: str, required: str) -> bool:
    return actual != "downgrade" and BUMPS.index(actual) >= BUMPS.index(required)
