from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from postdesk.knowledge.selectors import articles_search, articles_search_public
from postdesk.org.models import User


class Command(BaseCommand):
    help = "Search the knowledge base; --public searches as the public would."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("query")
        parser.add_argument("--limit", type=int, default=10)
        parser.add_argument(
            "--public", action="store_true", help="only public, currently effective articles"
        )
        parser.add_argument("--category", default="")
        parser.add_argument("--current", action="store_true", help="only articles in effect")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        limit = max(1, min(options["limit"], 200))
        if options["public"]:
            hits = articles_search_public(
                query=options["query"], category=options["category"], limit=limit
            )
        else:
            # staff view: an internal reader (a system user object that is never saved)
            hits = articles_search(
                user=User(username="cli", is_active=True),
                query=options["query"],
                category=options["category"],
                current_only=options["current"],
                limit=limit,
            )
        rows = [hit.as_dict() for hit in hits]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(
                f"{row['score']:.3f}  [{row['visibility']}/{row['status']}]  {row['title']}"
            )
