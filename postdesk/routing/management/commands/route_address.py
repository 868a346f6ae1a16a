from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from postdesk.core.csvimport import decode
from postdesk.core.errors import ValidationFailed
from postdesk.routing.selectors import route_address


class Command(BaseCommand):
    help = (
        "Route an address (or every line of --file) to the unit that serves it: "
        "matched, ambiguous or unmatched."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("address", nargs="?")
        parser.add_argument("--file", help="one address a line; one answer a line, in order")
        parser.add_argument("--json", action="store_true", help="print JSON (one object a line)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if bool(opts["address"]) == bool(opts["file"]):
            raise CommandError("give one ADDRESS or --file F")
        if opts["file"]:
            try:
                text, _encoding = decode(Path(opts["file"]).read_bytes())
            except OSError as exc:
                raise CommandError(f"cannot read {opts['file']}: {exc.strerror}") from exc
            except ValidationFailed as exc:
                raise CommandError(" ".join(str(v) for v in exc.fields.values())) from exc
            addresses = text.splitlines()
        else:
            addresses = [opts["address"]]
        failed = False
        for address in addresses:
            try:
                doc = route_address(address=address).as_dict()
            except ValidationFailed as exc:
                failed = True
                doc = {"address": address[:200], **exc.as_dict()}
            if opts["json"]:
                self.stdout.write(json.dumps(doc, ensure_ascii=False))
            elif "status" in doc:
                parsed = doc["parsed"]
                place = " ".join(v for k, v in parsed.items() if k != "rest" and v)
                self.stdout.write(
                    f"{doc['status']}\t{doc['unit'] or ','.join(doc['candidates']) or '-'}"
                    f"\t{place} | {parsed['rest']}"
                )
            else:
                self.stdout.write(f"error\t{doc['message']} {' '.join(doc['fields'].values())}")
        if failed and not opts["file"]:
            raise SystemExit(1)
