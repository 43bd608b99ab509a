"""python manage.py seed_demo [--size small|demo|large] [--organizations N --clients N --deals N --payments N]"""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from support.prs.seeding import SIZES, seed


class Command(BaseCommand):
    help = (
        "Creates demo organizations with users of every role, clients, deals and payments (through PRS's "
        "services). Idempotent: tops up to the requested counts. Counts are per organization."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", choices=sorted(SIZES), default="demo", help="a preset (default: demo)")
        for name in ("organizations", "clients", "deals", "payments"):
            parser.add_argument(f"--{name}", type=int, help=f"override the preset's number of {name}")

    def handle(self, *args: Any, **options: Any) -> None:
        overrides = {
            name: options[name]
            for name in ("organizations", "clients", "deals", "payments")
            if options[name] is not None
        }
        try:
            size = replace(SIZES[options["size"]], **overrides)
            report = seed(size)
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(report.summary()))
