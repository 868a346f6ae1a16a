from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.core import i18n


class Command(BaseCommand):
    help = "Extract, check and compile the per-app translation catalogues."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--extract", action="store_true")
        parser.add_argument("--check", action="store_true")
        parser.add_argument("--compile", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["extract"]:
            i18n.extract()
        if options["check"]:
            missing = i18n.problems()
            if missing:
                raise CommandError(
                    f"{len(missing)} untranslated or fuzzy entries:\n" + "\n".join(missing)
                )
            self.stdout.write("translations complete")
        if options["compile"]:
            self.stdout.write(f"compiled {i18n.compile_all()} catalogues")
