"""/api/v1/public/ — the public's self-service API (no sign-in). Each feature has its own
module with a router mounted here."""

from __future__ import annotations

from ninja import Router

from postdesk.portal.filing_api import router as filing_router
from postdesk.portal.kb_api import router as kb_router
from postdesk.portal.otp_api import router as otp_router
from postdesk.portal.public_api import router as public_router

router = Router(auth=None, tags=["public"])
router.add_router("/kb/", kb_router)
router.add_router("", public_router)
router.add_router("", filing_router)
router.add_router("", otp_router)
