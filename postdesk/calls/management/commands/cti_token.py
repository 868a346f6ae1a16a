"""`postdesk cti_token --create NAME` prints a new CTI integration token (one line);
`--list` shows the tokens, `--revoke ID` revokes one."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.calls.models import CtiToken
from postdesk.calls.services import cti_token_create, cti_token_revoke
from postdesk.core.errors import DomainError


class Command(BaseCommand):
    help = "Create, list or revoke the tokens a PBX uses to post CTI events."

    def add_arguments(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--create", metavar="NAME", help="create a token; prints it")
        group.add_argument("--list", action="store_true", help="list the tokens")
        group.add_argument("--revoke", metavar="ID", type=int, help="revoke a token by id")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["create"] is not None:
            try:
                _token, raw = cti_token_create(name=options["create"])
            except DomainError as exc:
                raise CommandError(str(exc.as_dict()["fields"] or exc.message)) from None
            self.stdout.write(raw)
        elif options["list"]:
            for token in CtiToken.objects.order_by("id"):
                status = (
                    f"revoked {token.revoked_at:%Y-%m-%d %H:%M}" if token.revoked_at else "active"
                )
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.pk}\t{token.name}\t{token.prefix}…\t{status}\tlast used {used}"
                )
        else:
            if not cti_token_revoke(token_id=options["revoke"]):
                raise CommandError(f"no active token with id {options['revoke']}")
            self.stdout.write(f"revoked token {options['revoke']}")
