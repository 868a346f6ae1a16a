"""The SMS message's life, quiet hours and templates: pure, exhaustive."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from postdesk.notify.sms import flow, rules

SH = ZoneInfo("Asia/Shanghai")
STATUSES = [s[0] for s in flow.STATUSES]

EXPECTED = {
    ("created", "accepted"): "sent",
    ("created", "rejected"): "failed",
    ("created", "receipt_ok"): "delivered",
    ("created", "receipt_failed"): "failed",
    ("created", "expire"): "expired",
    ("sent", "accepted"): "sent",
    ("sent", "rejected"): "sent",
    ("sent", "receipt_ok"): "delivered",
    ("sent", "receipt_failed"): "failed",
    ("sent", "expire"): "expired",
}


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("event", flow.EVENTS)
def test_every_status_and_event(status, event):
    expected = status if status in flow.FINAL else EXPECTED[(status, event)]
    assert flow.advance(status, event) == expected


def test_status_never_moves_backwards():
    rank = {"created": 0, "sent": 1, "delivered": 2, "failed": 2, "expired": 2}
    for status in STATUSES:
        for event in flow.EVENTS:
            assert rank[flow.advance(status, event)] >= rank[status]


def test_any_order_of_receipts_ends_in_the_first_final_one():
    import itertools

    for events in itertools.permutations(["accepted", "receipt_ok", "receipt_failed"]):
        status = "created"
        for event in events:
            status = flow.advance(status, event)
        first_final = next(e for e in events if e != "accepted")
        assert status == ("delivered" if first_final == "receipt_ok" else "failed")


def test_unknown_status_or_event_is_an_error():
    with pytest.raises(ValueError):
        flow.advance("lost", "accepted")
    with pytest.raises(ValueError):
        flow.advance("created", "vanish")


def test_moves_from_lists_what_a_conditional_update_needs():
    assert flow.moves_from("receipt_ok") == {"created": "delivered", "sent": "delivered"}
    assert flow.moves_from("accepted") == {"created": "sent"}
    assert flow.moves_from("expire") == {"created": "expired", "sent": "expired"}


@pytest.mark.parametrize(
    ("local", "until"),
    [
        (datetime(2026, 11, 28, 20, 59, tzinfo=SH), None),
        (datetime(2026, 11, 28, 21, 0, tzinfo=SH), datetime(2026, 11, 29, 8, 0, tzinfo=SH)),
        (datetime(2026, 11, 28, 23, 59, tzinfo=SH), datetime(2026, 11, 29, 8, 0, tzinfo=SH)),
        (datetime(2026, 11, 29, 0, 0, tzinfo=SH), datetime(2026, 11, 29, 8, 0, tzinfo=SH)),
        (datetime(2026, 11, 29, 7, 59, tzinfo=SH), datetime(2026, 11, 29, 8, 0, tzinfo=SH)),
        (datetime(2026, 11, 29, 8, 0, tzinfo=SH), None),
        (datetime(2026, 12, 31, 22, 0, tzinfo=SH), datetime(2027, 1, 1, 8, 0, tzinfo=SH)),
    ],
)
def test_quiet_hours_hold_until_the_morning(local, until):
    assert rules.quiet_until(local) == until


def test_quiet_hours_within_one_day_and_none():
    lunch = rules.QuietHours(time(12), time(13))
    assert rules.quiet_until(datetime(2026, 1, 5, 12, 30, tzinfo=SH), lunch) == datetime(
        2026, 1, 5, 13, 0, tzinfo=SH
    )
    assert rules.quiet_until(datetime(2026, 1, 5, 13, 0, tzinfo=SH), lunch) is None
    off = rules.QuietHours(time(0), time(0))
    assert rules.quiet_until(datetime(2026, 1, 5, 23, 0, tzinfo=SH), off) is None
    with pytest.raises(ValueError):
        rules.quiet_until(datetime(2026, 1, 5, 23, 0))


def test_templates_render_in_chinese_with_their_variables():
    text = rules.render(
        "pickup_confirmed",
        {"unit": "鹿城支局", "window": "今天 14:00-16:00", "number": "N2026112800001"},
    )
    assert text == (
        "【中国邮政】您的揽收预约已确认，鹿城支局将于今天 14:00-16:00上门收件，"
        "通知单号N2026112800001。"
    )
    assert rules.TEMPLATES["complaint_replied"].variables == ("number", "summary")
    with pytest.raises(rules.TemplateError) as missing:
        rules.render("pickup_failed", {})
    assert missing.value.field == "reason"
    with pytest.raises(rules.TemplateError) as unknown:
        rules.render("nope", {})
    assert unknown.value.field == "template"
    for template in rules.TEMPLATES.values():
        assert template.text.startswith("【中国邮政】")


@pytest.mark.parametrize(
    ("content", "intent"),
    [
        ("1", "confirm"),
        (" 确认。", "confirm"),
        ("TD", "opt_out"),
        ("退订", "opt_out"),
        ("明天下午再送吧", "text"),
        ("11", "text"),
    ],
)
def test_reply_intent(content, intent):
    assert rules.reply_intent(content) == intent
