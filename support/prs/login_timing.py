"""Timing failed logins, for the account-enumeration rule (SEC-08): medians of interleaved samples.

The suite hashes passwords with a fast hasher; ``production_hasher`` switches to production's PBKDF2 (with fewer
iterations, so a sample takes milliseconds): what the rule needs is that both paths hash once, and the
ratio of their times does not depend on the iteration count as long as hashing dominates the request."""
from __future__ import annotations

import contextlib
import statistics
import time
from collections.abc import Iterator, Sequence

PRODUCTION_HASHER = "django.contrib.auth.hashers.PBKDF2PasswordHasher"
TEST_ITERATIONS = 150_000
WRONG_PASSWORD = "not the password"


@contextlib.contextmanager
def production_hasher(iterations: int = TEST_ITERATIONS) -> Iterator[None]:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.test.utils import override_settings

    saved = PBKDF2PasswordHasher.iterations
    PBKDF2PasswordHasher.iterations = iterations
    try:
        with override_settings(PASSWORD_HASHERS=[PRODUCTION_HASHER]):
            yield
    finally:
        PBKDF2PasswordHasher.iterations = saved


def failed_login_medians(emails: Sequence[str], rounds: int = 3, samples: int = 3) -> dict[str, float]:
    """Median milliseconds of a failed login per email. Rounds interleave the emails, so a burst of load on the
    machine hits each alike; the failures are forgotten after each sample, so no email is ever locked out."""
    from prs.accounts.services import AuthService
    from prs.audit.models import SecurityEvent, SecurityEventType

    durations: dict[str, list[float]] = {email: [] for email in emails}
    for _ in range(rounds):
        for email in emails:
            for _ in range(samples):
                started = time.perf_counter()
                AuthService().authenticate(email, WRONG_PASSWORD)
                durations[email].append((time.perf_counter() - started) * 1000)
                SecurityEvent.objects.filter(email=email, event_type__in=[
                    SecurityEventType.LOGIN_FAILED, SecurityEventType.ACCOUNT_LOCKED]).delete()
    return {email: statistics.median(values) for email, values in durations.items()}


def spread(medians: dict[str, float]) -> float:
    """Slowest median over fastest: 1.0 when every path takes the same time."""
    return max(medians.values()) / max(min(medians.values()), 1e-6)
