"""The Content-Security-Policy every answer carries (Django 5.2 has none of its own).

Scripts run only from our own static files: no inline `<script>`, no `on…=` attributes,
no `javascript:` links (every asset is vendored, so no other origin is named). Pages
pass data to scripts in `json_script` blocks or `data-` attributes; `core/static/
postdesk/app.js` handles the common ones (`data-autosubmit`, `data-back`). Styles may be
inline (`style=` attributes in templates, htmx's indicator style, ECharts): a style
cannot run code. Fetches, htmx and the push streams (server-sent events) go to our own
origin only; no one may frame a page (the same as `X-Frame-Options: DENY`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

HEADER = "Content-Security-Policy"

POLICY: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'",),
    "style-src": ("'self'", "'unsafe-inline'"),
    "img-src": ("'self'", "data:"),  # the API docs' icons are data: URLs
    "font-src": ("'self'",),
    "connect-src": ("'self'",),  # fetch, htmx, EventSource of the push streams
    "object-src": ("'none'",),
    "base-uri": ("'self'",),
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}


def policy_header(policy: dict[str, tuple[str, ...]] = POLICY) -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in policy.items())


VALUE = policy_header()


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every answer that has none of its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = VALUE
        return response
