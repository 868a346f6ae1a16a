"""Caller lookup with 1,000,000 customers and 5,000,000 past calls (PostgreSQL).

    .venv/bin/python bench/calls_lookup.py [--customers 1000000] [--calls 5000000] [--keep]

Data (generated inside PostgreSQL, in a fresh database `bench_calls_lookup`, dropped at
the end unless --keep): N customers with one mobile each (+ every 50th number shared by
two customers), and M calls over 90 days, 80% from customers' numbers, 20% from unknown
numbers. Measures, over 1,000 random incoming numbers (after 100 warm-up lookups):
- `customers_by_phone` (the profile match),
- the whole screen pop (`screen_pop`: candidates, last contacts, customers' recent calls,
  open work orders, parcels) as a team lead sees it (all calls in scope),
and prints p50 and p99 in milliseconds.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import calls_common as cc

DB = "bench_calls_lookup"

FILL = """
INSERT INTO customers_customer (created_at, updated_at, kind, name, is_key_account,
    contract_no, email, preferred_channel, consent_sms, consent_marketing, temperament,
    internal_note)
SELECT now(), now(), 'person', '客户' || i, false, '', '', 'phone', true, false, '', ''
FROM generate_series(1, %(customers)s) AS i;

INSERT INTO customers_customerphone (customer_id, number, raw, kind, is_primary)
SELECT id, '+86138' || lpad(id::text, 8, '0'), '', 'mobile', true FROM customers_customer;

INSERT INTO customers_customerphone (customer_id, number, raw, kind, is_primary)
SELECT id, '+86138' || lpad((id - 1)::text, 8, '0'), '', 'mobile', false
FROM customers_customer WHERE id %% 50 = 0;

INSERT INTO calls_call (call_id, direction, from_number, to_number, caller_number, queue,
    agent_extension, ringing_extension, started_at, answered_at, ended_at, wait_seconds,
    talk_seconds, hold_seconds, outcome, cause, recording_url, wrapup_code, wrapup_note,
    customer_id, events_count, event_log, updated_at)
SELECT 'b-' || i, 'in', n, '11185', '+86' || n, '11185', '800' || (i %% 8 + 1), '',
       t, t + interval '12 seconds', t + interval '3 minutes', 12, 168, 0, 'answered',
       'normalClearing', '', 'query', '', NULL, 4, '[]', now()
FROM (
  SELECT i,
         CASE WHEN random() < 0.8
              THEN '138' || lpad((1 + floor(random() * %(customers)s))::int::text, 8, '0')
              ELSE '139' || lpad(floor(random() * 99999999)::int::text, 8, '0') END AS n,
         now() - random() * interval '90 days' AS t
  FROM generate_series(1, %(calls)s) AS i
) AS g;
ANALYZE;
"""


def child(customers: int) -> None:
    import django

    django.setup()
    from postdesk.calls.models import Call
    from postdesk.calls.selectors import screen_pop
    from postdesk.customers.selectors import customers_by_phone
    from postdesk.org.models import User

    lead = User.objects.get(username="lead1")
    rng = random.Random(5)
    numbers = [
        f"138{rng.randrange(1, customers + 1):08d}"
        if rng.random() < 0.8
        else f"139{rng.randrange(10**8):08d}"
        for _ in range(1100)
    ]
    call = Call.objects.order_by("id").first()
    assert call is not None
    by_phone, pops = [], []
    found = 0
    for i, number in enumerate(numbers):
        t = time.perf_counter()
        matches = customers_by_phone(raw=number, user=lead)
        t1 = time.perf_counter()
        call.from_number = number
        call.caller_number = "+86" + number
        pop = screen_pop(user=lead, call=call)
        t2 = time.perf_counter()
        if i >= 100:
            by_phone.append((t1 - t) * 1000)
            pops.append((t2 - t1) * 1000)
            found += bool(matches) and bool(pop.candidates)
    print(
        f"calls_lookup: {Call.objects.count():,} calls, "
        f"{User.objects.none().count() or customers:,} customers; 1,000 lookups "
        f"({found} known callers)"
    )
    print(
        f"  customers_by_phone: p50 {cc.pct(by_phone, 50):.2f} ms, "
        f"p99 {cc.pct(by_phone, 99):.2f} ms"
    )
    print(
        f"  screen_pop (all sections): p50 {cc.pct(pops, 50):.2f} ms, p99 {cc.pct(pops, 99):.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--calls", type=int, default=5_000_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--child", action="store_true")
    args = parser.parse_args()
    if args.child:
        child(args.customers)
        return
    import psycopg

    url = cc.create_db(DB)
    try:
        with tempfile.TemporaryDirectory() as var:
            env = cc.env_for(url, Path(var))
            cc.prepare(env)
            began = time.perf_counter()
            with psycopg.connect(url, autocommit=True) as conn:
                for statement in FILL.split(";"):
                    if statement.strip():
                        conn.execute(statement, {"customers": args.customers, "calls": args.calls})
            print(f"(data generated in {time.perf_counter() - began:.0f} s)")
            subprocess.run(
                [sys.executable, __file__, "--child", "--customers", str(args.customers)],
                env={**env, **{"PYTHONPATH": os.getcwd()}},
                check=True,
            )
    finally:
        if not args.keep:
            cc.drop_db(DB)


if __name__ == "__main__":
    main()
