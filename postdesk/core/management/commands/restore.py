"""`postdesk restore PATH`: an archive of `postdesk backup` onto an empty database and
MEDIA_ROOT (`core.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup onto an empty database and an empty MEDIA_ROOT."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", help="an archive written by `postdesk backup`")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = restore(Path(options["path"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(summary.line("restored from"))
        self.stdout.write(
            "every table's row count matches the backup; run `postdesk migrate` "
            "if this code is newer than the backup"
        )
