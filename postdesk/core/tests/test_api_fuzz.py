"""schemathesis over the whole OpenAPI document, as an administrator and as an agent.

Every operation the document lists is fuzzed (nothing is picked by hand, so an endpoint
added tomorrow is fuzzed tomorrow) with schemathesis's checks, all of them: no 5xx, every
answer in a status the operation documents, in the documented content type and schema,
invalid input refused with a 4xx, valid input not refused as invalid, unsupported
methods answered 405, the token really required. The requests go through the whole WSGI
stack (middleware included) on demo data, with a bounded, derandomised number of
examples per operation so the run is reproducible and fits `make test`'s budget
(`FUZZ_EXAMPLES` per operation and mode, default 2).

The run collects every failure of every operation and reports them together, so one
broken operation does not hide the next.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.modes import GenerationMode

# the security schemes' parameters (the ignored_auth check tries requests without them)
CREDENTIALS = {"Authorization", "sessionid"}
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
DOCUMENT = "/api/v1/openapi.json"
ONLY = os.environ.get("FUZZ_ONLY", "")  # e.g. "GET /api/v1/reports" while fixing
TRACE = bool(os.environ.get("FUZZ_TRACE"))

# operations the fuzzer leaves out, each with its reason (none today)
EXCLUDED: dict[str, str] = {}

# Every check runs. One is told a fact of this API: a schema-valid request may still be
# refused with 400 by a rule no JSON Schema says (a phone number that is no phone number,
# an S10 check digit, a unit that does not exist, a period that ends before it begins).
# Every other status a check expects is its default.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "3xx", "400", "401", "403", "404", "409", "429"]
            }
        }
    }
)


@contextmanager
def _one_connection():
    """Keep the test's database connection across requests, as Django's test client does
    (the WSGI handler would close it after each one)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# the demo centre without its two slowest seeders (the knowledge base's 65 articles and
# the 229 demo calls take 10 s of the budget); their operations are fuzzed all the same
SKIPPED_SEEDERS = {"postdesk.knowledge.demo", "postdesk.calls.demo"}


@pytest.fixture
def demo_centre(transactional_db, settings):
    from django.contrib.auth.hashers import make_password

    from postdesk.core.demo import demo_modules
    from postdesk.org.models import User

    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    with open(os.devnull, "w") as quiet:
        for module in demo_modules():
            if module.__name__ not in SKIPPED_SEEDERS:
                module.seed(stdout=quiet)
    User.objects.update(password=make_password("postdesk"))
    return {u.username: u for u in User.objects.all()}


def _fuzz(schema, who: str, staff) -> tuple[list[str], int, float]:
    from postdesk.core.services import api_token_create

    load_all_checks()
    checks = CHECKS.get_all()
    token = api_token_create(user=staff[who], name="fuzz")
    headers = {"Authorization": f"Token {token}"}
    failures: list[str] = []
    calls = 0
    started = time.monotonic()
    with _one_connection():
        for result in schema.get_all_operations():
            operation = result.ok()
            label = f"{operation.method.upper()} {operation.path}"
            if label in EXCLUDED or not label.startswith(ONLY):
                continue
            op_started = time.monotonic()
            modes = [GenerationMode.POSITIVE]
            if operation.body or any(
                p.name not in CREDENTIALS for p in operation.iter_parameters()
            ):
                modes.append(GenerationMode.NEGATIVE)  # nothing to get wrong otherwise
            for mode in modes:
                strategy = operation.as_strategy(generation_mode=mode)

                @settings(
                    max_examples=EXAMPLES,
                    deadline=None,
                    derandomize=True,
                    database=None,
                    phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck),
                )
                @given(case=strategy)
                def run(case):
                    nonlocal calls
                    calls += 1
                    response = case.call(headers=headers)
                    case.validate_response(response, checks=checks, headers=headers)

                try:
                    run()
                except Unsatisfiable:
                    # no invalid request exists (only the token is asked for, and the
                    # ignored_auth check tries it without): nothing negative to send
                    assert mode is GenerationMode.NEGATIVE, label
                except BaseException as exc:  # collected and reported together below
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    failures.append(f"{who} {label} [{mode.value}]: {exc}")
            if TRACE:
                print(f"{label}: {time.monotonic() - op_started:.1f}s")
    return failures, calls, time.monotonic() - started


@pytest.mark.postgresql  # make test's PostgreSQL step only (ARCHITECTURE: the API's contract)
def test_the_document_holds_under_fuzzing(demo_centre):
    with _one_connection():  # the document as a client reads it, from the application
        schema = schemathesis.openapi.from_wsgi(DOCUMENT, get_wsgi_application(), config=CONFIG)
    failures = []
    for username in os.environ.get("FUZZ_ROLES", "admin,agent1").split(","):
        found, calls, seconds = _fuzz(schema, username, demo_centre)
        print(f"\nfuzzed as {username}: {calls} cases in {seconds:.1f}s, {len(found)} failing")
        failures += found
    assert failures == [], "\n\n".join(failures)
