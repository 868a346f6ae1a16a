"""Who may call each operation of the REST API: one declaration per operation.

This table is what the code's rules are meant to be (the apps' `rules.py` / `can_<verb>`
predicates and the services' role sets), written once so it can be read in one place and
checked: `core/tests/test_authz_matrix.py` calls every operation of the OpenAPI document
as every role and anonymously and compares each answer's class with this table. An
operation missing here fails that test, and so does a line naming an operation that no
longer exists.

How to add an endpoint: add one line to `ACCESS` under its app, keyed exactly as the
OpenAPI document (`postdesk.api.api.get_openapi_schema()`) names it — the method in
capitals, a space, the path template (`"POST /api/v1/customers/{customer_id}/full"`) —
with one of:

- `PUBLIC` — no credential needed (the public portal); anyone's answer is not 401/403;
- `INTEGRATION` — an integration's own credential (a CTI token, the SMS push token), not
  a staff user's: anonymous callers and staff tokens alike answer 401;
- `ANY_ROLE` — every signed-in staff role (the auditor too: an auditor's scope holds no
  unit, so what it reads of cases is empty); anonymous is 401;
- `roles(Role.LEAD, Role.DIRECTOR, ...)` — only these roles; any other role is 403;
- `scoped(...)` — like `roles(...)` (every role when none is named), and the object in the
  path is looked up in the reader's scope (`org.selectors.scope_for`): outside it the
  answer is 404, never the object.

Then give the test a way to fill the path's parameters (`PATH_VALUES` there) if it has a
new parameter, and a body (`BODIES`) if a refused role would otherwise be stopped by the
body's validation (400) before the role check. What an action or an object then allows
beyond the role (the work-order flow table, "the one evaluated") is the owning app's rule
and is tested there.
"""

from __future__ import annotations

from dataclasses import dataclass

from postdesk.org.models import Role

ALL_ROLES: frozenset[str] = frozenset(str(role) for role in Role)


@dataclass(frozen=True)
class Access:
    """`kind` is "public", "integration" or "staff"; `roles` the staff roles allowed;
    `scoped`: the path's object is read through the caller's scope (else 404)."""

    kind: str
    roles: frozenset[str] = frozenset()
    scoped: bool = False

    def allows(self, role: str | None) -> bool:
        """May a caller of `role` (None: anonymous) call it (scope aside)?"""
        if self.kind == "public":
            return True
        if self.kind == "integration" or role is None:
            return False
        return role in self.roles


def roles(*allowed: Role) -> Access:
    if not allowed:
        raise ValueError("name at least one role (ANY_ROLE for all)")
    return Access("staff", frozenset(str(role) for role in allowed))


def scoped(*allowed: Role) -> Access:
    chosen = frozenset(str(role) for role in allowed) if allowed else ALL_ROLES
    return Access("staff", chosen, scoped=True)


PUBLIC = Access("public", ALL_ROLES)
INTEGRATION = Access("integration")
ANY_ROLE = Access("staff", ALL_ROLES)

A, L, D, H, X, AU = Role.AGENT, Role.LEAD, Role.DIRECTOR, Role.HANDLER, Role.ADMIN, Role.AUDITOR
WORKING = (A, L, D, H, X)  # every role that works the cases (not the auditor)
CENTRE = (A, L, D, X)  # the centre's staff (not the units' handlers)
MANAGEMENT = (L, D, X)  # reports.rules.REPORT_ROLES, tracking.rules.MANAGEMENT
FULL_VIEW = (A, L, H, X)  # customers.selectors.FULL_VIEW_ROLES: personal data in full

ACCESS: dict[str, Access] = {
    # core, org
    "GET /api/v1/me": ANY_ROLE,
    "GET /api/v1/org/units": ANY_ROLE,  # the units in the caller's scope
    "GET /api/v1/access-log": roles(X, AU),  # org.rules.can_view_access_log
    "POST /api/v1/access-log/export": roles(X, AU),
    # exports (core.api_exports): the list's kind decides who may export it; one's own
    "POST /api/v1/exports/": ANY_ROLE,
    "GET /api/v1/exports/": ANY_ROLE,
    "GET /api/v1/exports/{export_id}": scoped(),  # the owner's only (404 for others)
    "GET /api/v1/exports/{export_id}/download": scoped(),
    # customers
    "GET /api/v1/customers/": ANY_ROLE,
    "POST /api/v1/customers/": ANY_ROLE,
    "GET /api/v1/customers/{customer_id}": scoped(),
    "POST /api/v1/customers/{customer_id}/full": scoped(*FULL_VIEW),
    "PATCH /api/v1/customers/{customer_id}": scoped(A, L, X),  # rules.can_edit_customer
    "GET /api/v1/customers/{customer_id}/timeline": scoped(),
    "POST /api/v1/customers/{customer_id}/merge": scoped(L, X),  # rules.can_merge_customers
    # routing
    "POST /api/v1/routing/resolve": ANY_ROLE,
    # notify
    "GET /api/v1/notifications/": ANY_ROLE,
    "POST /api/v1/notifications/read": ANY_ROLE,
    "POST /api/v1/sms/receipts/{provider}": INTEGRATION,  # SMS_PUSH_TOKEN
    "POST /api/v1/sms/inbound/{provider}": INTEGRATION,
    # workorders
    "POST /api/v1/workorders/": roles(A, L, D),  # services.create.INTAKE_ROLES
    "GET /api/v1/workorders/": ANY_ROLE,
    "GET /api/v1/workorders/to-route/": roles(*MANAGEMENT),  # rules.BOARD_READERS
    "GET /api/v1/workorders/filters/": ANY_ROLE,  # each user's own (issue 20)
    "POST /api/v1/workorders/filters/": ANY_ROLE,
    "DELETE /api/v1/workorders/filters/{filter_id}/": ANY_ROLE,  # own only, else 404
    "POST /api/v1/workorders/bulk/": roles(L),  # services.bulk.can_bulk_act
    "GET /api/v1/workorders/{number}/": scoped(),
    "POST /api/v1/workorders/{number}/caller": scoped(*FULL_VIEW),  # services.caller
    "POST /api/v1/workorders/{number}/actions/{action}/": scoped(),  # then flows.py
    "POST /api/v1/workorders/{number}/assign/": scoped(L, H),  # rules.can_assign
    # tags 标签 (issue 20): the list for everyone, kept by leads and administrators
    "GET /api/v1/tags/": ANY_ROLE,
    "POST /api/v1/tags/": roles(L, X),  # rules.can_manage_tags
    "PATCH /api/v1/tags/{tag_id}": roles(L, X),
    "POST /api/v1/workorders/{number}/tags": scoped(A, L, D, H),  # rules.can_tag
    "DELETE /api/v1/workorders/{number}/tags/{tag_id}": scoped(A, L, D, H),
    # notices
    "POST /api/v1/notices/": roles(A, L, D),  # services.issue.ISSUER_ROLES
    "GET /api/v1/notices/": ANY_ROLE,
    "GET /api/v1/notices/{number}/": scoped(),
    "POST /api/v1/notices/{number}/contact": scoped(*FULL_VIEW),
    "POST /api/v1/notices/{number}/ack/": scoped(),  # then notices/flows.py
    "POST /api/v1/notices/{number}/feedback/": scoped(),
    "POST /api/v1/notices/{number}/cancel/": scoped(),
    "POST /api/v1/notices/{number}/reroute/": scoped(),
    # calls (CTI tokens, `postdesk cti_token`)
    "POST /api/v1/cti/events": INTEGRATION,
    "POST /api/v1/cti/zammad/{token}": INTEGRATION,
    "POST /api/v1/cti/{token}": INTEGRATION,
    "GET /api/v1/reports/calls": roles(*MANAGEMENT),  # calls.selectors.is_supervisor
    # tracking (tracking.rules)
    "POST /api/v1/tracking/imports": roles(*MANAGEMENT),  # can_import
    "GET /api/v1/tracking/imports/{run_id}": roles(*MANAGEMENT),
    "GET /api/v1/tracking/imports/{run_id}/rejected.csv": roles(*MANAGEMENT),
    "GET /api/v1/tracking/items/{waybill_no}": roles(*WORKING),  # can_track (TRACKERS)
    "GET /api/v1/tracking/by-phone": roles(*WORKING),
    "POST /api/v1/tracking/results": roles(A, L, H, X),  # can_enter_results
    "GET /api/v1/tracking/chase": roles(*WORKING),
    "GET /api/v1/reports/delivery": roles(*MANAGEMENT),  # can_read_delivery_targets
    "GET /api/v1/reports/delivery/rows": roles(*MANAGEMENT),
    # knowledge
    "GET /api/v1/kb/search": ANY_ROLE,
    "GET /api/v1/kb/suggest": ANY_ROLE,
    "GET /api/v1/kb/articles/{article_id}": ANY_ROLE,
    "GET /api/v1/kb/phrases": ANY_ROLE,
    "POST /api/v1/kb/phrase-check": ANY_ROLE,
    # portal (the public)
    "GET /api/v1/public/kb/search": PUBLIC,
    "GET /api/v1/public/kb/articles/{article_id}": PUBLIC,
    "GET /api/v1/public/track/{waybill}": PUBLIC,
    "GET /api/v1/public/requests/{reference}": PUBLIC,
    "GET /api/v1/public/challenge": PUBLIC,
    "POST /api/v1/public/requests": PUBLIC,
    "POST /api/v1/public/requests/{reference}/rating": PUBLIC,
    "POST /api/v1/public/otp": PUBLIC,
    "POST /api/v1/public/otp/verify": PUBLIC,
    "GET /api/v1/public/my-requests": INTEGRATION,  # the OTP's own bearer token
    # callbacks (callbacks.rules)
    "GET /api/v1/callbacks/": roles(*CENTRE),  # READERS
    "POST /api/v1/callbacks/": roles(A, L),  # WORKERS
    "GET /api/v1/callbacks/{task_id}/": scoped(*CENTRE),
    "POST /api/v1/callbacks/{task_id}/assign/": scoped(L, X),  # MANAGERS
    "POST /api/v1/callbacks/{task_id}/start/": scoped(A, L),  # can_work_callback
    "POST /api/v1/callbacks/{task_id}/attempts/": scoped(A, L),
    "POST /api/v1/callbacks/{task_id}/cancel/": scoped(A, L, X),
    # reports (reports.rules)
    "GET /api/v1/reports/complaints": ANY_ROLE,  # the complaints in the caller's scope
    "GET /api/v1/reports/month": roles(*MANAGEMENT),  # can_read_reports
    "GET /api/v1/reports/targets/{key}/items": roles(*MANAGEMENT),
    "GET /api/v1/reports/month.pdf": roles(*MANAGEMENT),
    "GET /api/v1/reports/month.xlsx": roles(*MANAGEMENT),
    "GET /api/v1/reports/archive": roles(*MANAGEMENT),  # can_read_archive
    "POST /api/v1/reports/archive": roles(D, X),  # can_generate_month_summary
    "GET /api/v1/reports/archive/{month}/{version}.pdf": roles(*MANAGEMENT),
    "GET /api/v1/reports/archive/{month}/{version}.xlsx": roles(*MANAGEMENT),
    "GET /api/v1/reports/league/units": roles(*MANAGEMENT),
    "GET /api/v1/reports/league/agents": roles(*MANAGEMENT),
    "GET /api/v1/reports/notices": ANY_ROLE,  # the notices in the caller's scope
    # workforce
    "GET /api/v1/workforce/erlang": ANY_ROLE,  # arithmetic, no data
    "POST /api/v1/internal-reports/": roles(*CENTRE),  # services CENTRE_ROLES
    "GET /api/v1/internal-reports/": ANY_ROLE,
    "GET /api/v1/internal-reports/{number}/": scoped(),
    "POST /api/v1/internal-reports/{number}/actions/{action}/": scoped(),  # report_flows
    "POST /api/v1/handovers/": roles(*CENTRE),  # services AUTHOR_ROLES
    "GET /api/v1/handovers/": ANY_ROLE,
    "GET /api/v1/handovers/{pk}/": scoped(*CENTRE),
    "POST /api/v1/handovers/{pk}/ack/": scoped(L, X),  # ACK_ROLES (not one's own)
    "POST /api/v1/handovers/{pk}/comments/": scoped(*CENTRE),
    # quality (quality.rules)
    "POST /api/v1/quality/forms/": roles(*MANAGEMENT),  # can_manage_forms
    "GET /api/v1/quality/forms/{pk}": roles(*MANAGEMENT),  # can_inspect / can_manage_forms
    "PUT /api/v1/quality/forms/{pk}": roles(*MANAGEMENT),
    "POST /api/v1/quality/forms/{pk}/publish/": roles(*MANAGEMENT),
    "POST /api/v1/quality/evaluations/": roles(*MANAGEMENT),  # can_inspect
    "GET /api/v1/quality/evaluations/": ANY_ROLE,  # the inspector's, or one's own
    "GET /api/v1/quality/evaluations/{pk}": scoped(),
    "POST /api/v1/quality/evaluations/{pk}/acknowledge/": scoped(A, H),  # is_subject
    "POST /api/v1/quality/evaluations/{pk}/appeal/": scoped(A, H),
    "POST /api/v1/quality/evaluations/{pk}/decide/": scoped(*MANAGEMENT),  # can_decide
    "GET /api/v1/quality/scorecards": ANY_ROLE,  # one's own, or the inspector's scope
    "GET /api/v1/quality/calibration/{pk}": roles(*MANAGEMENT),
    "POST /api/v1/quality/quotas/": roles(*MANAGEMENT),
    "POST /api/v1/quality/samples/": roles(*MANAGEMENT),
    "GET /api/v1/quality/samples/": ANY_ROLE,  # one's own samples
    "POST /api/v1/quality/calibration/": roles(*MANAGEMENT),
    "POST /api/v1/quality/calibration/{pk}/evaluations/": roles(*MANAGEMENT),
}


def access_for(method: str, path: str) -> Access | None:
    return ACCESS.get(f"{method.upper()} {path}")
