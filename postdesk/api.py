"""The versioned REST API: /api/v1/. Each app contributes a router from its `api.py`."""

from __future__ import annotations

from postdesk.core.api_contract import ContractAPI
from postdesk.core.api_errors import install as install_error_handlers
from postdesk.core.api_input import StrictParser
from postdesk.core.auth import STAFF_AUTH

api = ContractAPI(  # the document lists every error status (core.api_contract)
    title="postdesk API",
    version="1",
    description="邮政客服中心系统 postdesk — REST API v1. Authenticate with "
    "`Authorization: Token <key>` or a signed-in session.",
    urls_namespace="api-v1",
    auth=STAFF_AUTH,
    docs_url="/docs",
    parser=StrictParser(),  # JSON bodies only (415), no control characters (400)
)
install_error_handlers(api)


def _mount() -> None:
    from postdesk.callbacks.api import router as callbacks_router
    from postdesk.calls.api import reports_router as calls_reports_router
    from postdesk.calls.api import router as calls_router
    from postdesk.core.api import router as core_router
    from postdesk.core.api_exports import router as exports_router
    from postdesk.customers.api import router as customers_router
    from postdesk.knowledge.api import router as knowledge_router
    from postdesk.notices.api import reports_router as notices_reports_router
    from postdesk.notices.api import router as notices_router
    from postdesk.notify.api import router as notify_router
    from postdesk.notify.api import sms_router
    from postdesk.org.api import access_log_router
    from postdesk.org.api import router as org_router
    from postdesk.portal.api import router as portal_router
    from postdesk.quality.api import router as quality_router
    from postdesk.reports.api import router as reports_router
    from postdesk.routing.api import router as routing_router
    from postdesk.tracking.api import reports_router as delivery_reports_router
    from postdesk.tracking.api import router as tracking_router
    from postdesk.workforce.api import handovers_router
    from postdesk.workforce.api import reports_router as internal_reports_router
    from postdesk.workforce.api import router as workforce_router
    from postdesk.workorders.api import router as workorders_router
    from postdesk.workorders.api_tags import order_router as order_tags_router
    from postdesk.workorders.api_tags import router as tags_router

    api.add_router("/", core_router)
    api.add_router("/org/", org_router)
    api.add_router("/access-log", access_log_router)
    api.add_router("/customers/", customers_router)
    api.add_router("/routing/", routing_router)
    api.add_router("/notifications/", notify_router)
    api.add_router("/sms/", sms_router)
    api.add_router("/workorders/", workorders_router)
    api.add_router("/workorders/", order_tags_router)
    api.add_router("/tags/", tags_router)
    api.add_router("/notices/", notices_router)
    api.add_router("/callbacks/", callbacks_router)
    api.add_router("/cti/", calls_router)
    api.add_router("/tracking/", tracking_router)
    api.add_router("/kb/", knowledge_router)
    api.add_router("/public/", portal_router)
    api.add_router("/reports/", reports_router)
    api.add_router("/reports/", delivery_reports_router)
    api.add_router("/reports/", calls_reports_router)
    api.add_router("/reports/", notices_reports_router)
    api.add_router("/workforce/", workforce_router)
    api.add_router("/internal-reports/", internal_reports_router)
    api.add_router("/handovers/", handovers_router)
    api.add_router("/quality/", quality_router)
    api.add_router("/exports/", exports_router)


_mount()
