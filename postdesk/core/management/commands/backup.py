"""`postdesk backup PATH`: the database and the uploaded files, while serving
(`core.backup`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into one archive (while serving)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "path", help="the archive to write, e.g. /backups/postdesk-2026-12-03.tar"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup(Path(options["path"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(summary.line("backed up to"))
