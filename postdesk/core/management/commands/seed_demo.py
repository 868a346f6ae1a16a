from __future__ import annotations

import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand

from postdesk.core.demo import demo_modules, history_seeder


class Command(BaseCommand):
    help = "Load the demo centre (idempotent); with --scale N add N synthetic rows per kind."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help="add this many synthetic customers, work orders, … for benchmarks",
        )
        parser.add_argument(
            "--history",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="add six months of history ending today (the default; not with --scale)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        began = time.monotonic()
        for module in demo_modules():
            started = time.monotonic()
            if options["scale"]:
                if hasattr(module, "seed_scale"):
                    module.seed_scale(options["scale"], stdout=self.stdout)
            else:
                module.seed(stdout=self.stdout)
            self.stdout.write(f"  {module.__name__}: {time.monotonic() - started:.1f}s")
        if options["history"] and not options["scale"]:
            started = time.monotonic()
            history_seeder()(stdout=self.stdout)
            self.stdout.write(f"  history: {time.monotonic() - started:.1f}s")
        self.stdout.write(f"seed_demo: {time.monotonic() - began:.1f}s")
