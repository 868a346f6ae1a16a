"""Benchmark of the one search engine (articles and work orders).

Data (made here, in a database of its own that is created and dropped):
- articles: the 65 real articles of the demo knowledge base, plus synthetic articles made
  by recombining their paragraphs under new titles, to 50,000 in all;
- work orders (PostgreSQL only): 1,000,000 synthetic work orders as the demo makes them
  (`workorders.demo.seed_scale`), their search index then rebuilt from scratch.

Printed: full reindex times, search p50/p99 (articles: ranked article search as the staff
page runs it; work orders: the list selector with a keyword — the first page and its total
— as an agent, with filters, and as a branch handler, plus the engine's ranked search),
and precision at 3 on the 30 callers' questions in bench/kb_questions.yaml (with the
50,000 articles). p99 includes each word's first search (its pages not yet cached).

    .venv/bin/python bench/kb_search.py                 # PostgreSQL, then SQLite
    .venv/bin/python bench/kb_search.py --db pg --articles 50000 --orders 1000000
    .venv/bin/python bench/kb_search.py --db sqlite --articles 50000
    .venv/bin/python bench/kb_search.py --db pg --reuse   # keep the data, and use it next time

`--reuse` keeps the database (`bench_kb`, or `var/bench_kb.sqlite3`) and, when it already
holds the data, measures the searches without making it again (no reindex figures then).
`BENCH_DB_TAG=x` appends `_x` to the database and file names.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
TAG = f"_{os.environ['BENCH_DB_TAG']}" if os.environ.get("BENCH_DB_TAG") else ""
PG_NAME = f"bench_kb{TAG}"
PG_BENCH = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
SQLITE_PATH = ROOT / "var" / f"bench_kb{TAG}.sqlite3"

ARTICLE_QUERIES = [
    "邮件丢失怎么赔偿",
    "锂电池",
    "EMS资费",
    "赔",
    "保价",
    "查单",
    "上门揽收几点",
    "海关扣关",
    "汇款没收到",
    "报刊破订",
    "次晨达",
    "禁寄物品",
    "自提柜",
    "投诉时限",
    "国际小包",
    "邮编",
    "集邮年册",
    "代收货款",
    "改地址",
    "签收",
    "体积重量",
    "春节",
    "寄",
    "快递员没打电话",
]
ORDER_QUERIES = [
    "投诉",
    "延误",
    "破损",
    "没收到",
    "上门揽收",
    "快递员态度",
    "丢失赔偿",
    "海关",
    "改地址",
    "汇款",
    "查单",
    "寄",
    "虚假签收",
    "包裹破损要求赔偿",
    "地址",
    "退回",
    "签收",
    "包裹",
]


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "postdesk.settings")
    os.environ.setdefault("BACKGROUND_MODE", "sync")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(fn, queries: list[str], rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        for q in queries:
            started = time.perf_counter()
            fn(q)
            samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), pct(samples, 99)


# --- articles -------------------------------------------------------------------------------------
def make_articles(total: int, rng: random.Random) -> None:
    from postdesk.knowledge import demo
    from postdesk.knowledge.markdown_io import render_html
    from postdesk.knowledge.models import Article, Category

    demo.seed()
    real = list(Article.objects.all())
    paragraphs = [p for a in real for p in a.body.split("\n\n") if len(p.strip()) > 20]
    categories = list(Category.objects.all())
    words = ["业务", "说明", "通知", "规定", "办法", "指引", "问答", "须知", "流程", "标准"]
    subjects = [
        "邮件",
        "包裹",
        "报刊",
        "集邮",
        "汇兑",
        "国际",
        "揽收",
        "投递",
        "网点",
        "客户",
        "代收",
        "保价",
        "自提",
        "物流",
        "订票",
        "信函",
        "快递",
        "营业",
        "账单",
        "协议",
    ]
    batch: list[Article] = []
    made = 0
    need = total - len(real)
    today = time.localtime()
    for i in range(need):
        title = f"{rng.choice(subjects)}{rng.choice(subjects)}{rng.choice(words)}（第{i + 1}号）"
        body = "\n\n".join(rng.sample(paragraphs, 4))
        start_year = rng.choice([2023, 2024, 2025, 2026, 2026, 2026])
        from datetime import date

        start = date(start_year, rng.randint(1, 12), 1)
        end = date(start_year, 12, 31) if rng.random() < 0.2 else None
        if end is not None and end < start:
            end = None
        batch.append(
            Article(
                title=title,
                body=body,
                body_html=render_html(body) if i < 0 else "",
                category=rng.choice(categories),
                visibility=rng.choice(["public", "internal"]),
                effective_from=start,
                effective_to=end,
                view_count=rng.randint(0, 500),
            )
        )
        if len(batch) == 5000:
            Article.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    if batch:
        Article.objects.bulk_create(batch)
        made += len(batch)
    del today
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum does within a minute of a bulk load
        cursor.execute(f"ANALYZE {Article._meta.db_table}")
    print(f"articles: {len(real)} real + {made} synthetic = {Article.objects.count()}")


def bench_articles(rounds: int, reindex: bool = True) -> None:
    import yaml

    from postdesk.knowledge import search
    from postdesk.knowledge.selectors import articles_search
    from postdesk.org.models import User

    if reindex:
        started = time.perf_counter()
        count = search.reindex(kind="article", workers=2)
        elapsed = time.perf_counter() - started
        print(
            f"articles full reindex: {count} documents in {elapsed:.1f}s "
            f"({count / elapsed:,.0f} docs/s)"
        )
    reader = User(username="bench", is_active=True)
    articles_search(user=reader, query="预热", limit=10)
    p50, p99 = timed(
        lambda q: articles_search(user=reader, query=q, limit=10), ARTICLE_QUERIES, rounds
    )
    print(
        f"article search (staff, ranked, 10 hits with snippets): p50 {p50:.1f} ms, "
        f"p99 {p99:.1f} ms over {rounds * len(ARTICLE_QUERIES)} searches"
    )
    from postdesk.knowledge import selectors

    public = getattr(selectors, "articles_search_public", None)  # (before: user=None)
    p50, p99 = timed(
        lambda q: (
            public(query=q, limit=10) if public else articles_search(user=None, query=q, limit=10)
        ),
        ARTICLE_QUERIES,
        rounds,
    )
    print(f"article search (public): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    questions = yaml.safe_load((ROOT / "bench" / "kb_questions.yaml").read_text("utf-8"))
    precision, hit1, hit3 = 0.0, 0, 0
    for item in questions:
        titles = [h.article.title for h in articles_search(user=reader, query=item["q"], limit=3)]
        expected = set(item["expected"])
        relevant = sum(1 for t in titles if t in expected)
        precision += relevant / 3
        hit1 += bool(titles and titles[0] in expected)
        hit3 += bool(relevant)
    n = len(questions)
    best = sum(min(len(item["expected"]), 3) / 3 for item in questions) / n
    print(
        f"quality on {n} callers' questions: precision@3 {precision / n:.3f} "
        f"(the most possible with these expected lists: {best:.3f}), "
        f"top-1 right {hit1}/{n}, expected article in top 3 {hit3}/{n}"
    )


# --- work orders (PostgreSQL) ---------------------------------------------------------------
def make_orders(total: int) -> float:
    """`total` synthetic work orders as the demo makes them (`seed_scale`), then their
    search index rebuilt from scratch: the full reindex time of the kind."""
    from postdesk.knowledge import search
    from postdesk.org import demo as org_demo
    from postdesk.workorders import demo

    org_demo.seed()
    started = time.perf_counter()
    demo.seed_scale(total, index=False)
    print(f"work orders: {total:,} stored in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    last = [started]

    def progress(done: int) -> None:
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            print(f"  … {done:,} work orders indexed", flush=True)

    count = search.reindex(kind="workorder", workers=2, progress=progress)
    elapsed = time.perf_counter() - started
    print(
        f"work orders full reindex: {count:,} documents in {elapsed:.1f}s "
        f"({count / elapsed:,.0f} docs/s)"
    )
    return elapsed


def bench_orders(rounds: int) -> None:
    """The work-order search as the product runs it: the list selector with a keyword
    (first page of 25 with its total), as an agent who sees everything, with filters,
    and as a branch handler (scope); and the engine's ranked search."""
    from postdesk.knowledge import search
    from postdesk.org.models import User
    from postdesk.workorders.models import WorkOrder
    from postdesk.workorders.selectors import ListFilters, work_orders_list

    sample = WorkOrder.objects.filter(pk=123).values("waybill_no", "caller_phone").first() or {}
    queries = ORDER_QUERIES + [v for v in sample.values() if v]
    agent = User.objects.get(username="agent1")
    branch = User.objects.get(username="branch1")
    cases = [
        ("agent, every order", agent, {}),
        ("agent, open orders", agent, {"status": "open"}),
        ("branch handler (own unit's orders)", branch, {}),
        ("agent, one unit's open orders", agent, {"unit": "WZ-LC01", "status": "open"}),
        ("agent, open complaints", agent, {"type": "complaint", "status": "open"}),
    ]
    work_orders_list(user=agent, filters=ListFilters(q="预热"))
    for label, user, extra in cases:
        p50, p99 = timed(
            lambda q, user=user, extra=extra: work_orders_list(
                user=user, filters=ListFilters(q=q, **extra)
            ),
            queries,
            rounds,
        )
        print(
            f"work-order list search, {label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms "
            f"over {rounds * len(queries)} searches"
        )
    p50, p99 = timed(
        lambda q: search.match_ids(kind="workorder", query=q, limit=20), queries, rounds
    )
    print(f"work-order ranked search (engine, 20 best): p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    if sample.get("waybill_no"):
        found = work_orders_list(user=agent, filters=ListFilters(q=sample["waybill_no"]))
        print(f"exact waybill {sample['waybill_no']} -> {[o.pk for o in found.results]}")


def _kept(articles: int, orders: int) -> bool:
    """Whether the kept database already holds this benchmark's data."""
    from postdesk.knowledge.models import Article
    from postdesk.workorders.models import WorkOrder

    return Article.objects.count() == articles and WorkOrder.objects.count() == orders


def run(
    db: str, articles: int, orders: int, rounds: int, keep: bool = False, reuse: bool = False
) -> None:
    rng = random.Random(20261128)
    keep = keep or reuse
    if db == "pg":
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            kept = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]
            ).fetchone()
            if not (reuse and kept):
                conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
                conn.execute(f"CREATE DATABASE {PG_NAME}")
        url = PG_BENCH
    else:
        SQLITE_PATH.parent.mkdir(exist_ok=True)
        if not (reuse and SQLITE_PATH.exists()):
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_PATH}"
    try:
        setup_django(url)
        orders = orders if db == "pg" else 0
        print(
            f"== {'PostgreSQL' if db == 'pg' else 'SQLite'}: {articles:,} articles"
            + (f", {orders:,} work orders" if orders else "")
        )
        print("load average at start: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()), flush=True)
        made = not (reuse and _kept(articles, orders))
        if made:
            make_articles(articles, rng)
        else:
            print("the kept database holds the data: no reindex figures this run")
        bench_articles(rounds, reindex=made)
        if orders:
            if made:
                make_orders(orders)
            bench_orders(rounds)
        print("load average at end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()), flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if keep:
            print(f"kept the bench database: {url}")
        elif db == "pg":
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME}")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", choices=["pg", "sqlite", "both"], default="both")
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database (to look into)")
    parser.add_argument("--reuse", action="store_true", help="keep the data and use it next time")
    args = parser.parse_args()
    if args.db == "both":
        for db in ("pg", "sqlite"):
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--db",
                    db,
                    "--articles",
                    str(args.articles),
                    "--orders",
                    str(args.orders),
                    "--rounds",
                    str(args.rounds),
                    *(["--reuse"] if args.reuse else []),
                    *(["--keep"] if args.keep else []),
                ],
                check=True,
            )
        return
    run(args.db, args.articles, args.orders, args.rounds, args.keep, args.reuse)


if __name__ == "__main__":
    main()
