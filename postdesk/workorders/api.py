from __future__ import annotations

from ninja import Router

from postdesk.core.auth import STAFF_AUTH

router = Router(auth=STAFF_AUTH)
