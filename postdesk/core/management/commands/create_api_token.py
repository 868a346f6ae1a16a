from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from postdesk.core.services import api_token_create


class Command(BaseCommand):
    help = "Print a new API token for a user (one line, nothing else)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True)
        parser.add_argument("--name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user named {options['user']!r}")
        self.stdout.write(api_token_create(user=user, name=options["name"]))
