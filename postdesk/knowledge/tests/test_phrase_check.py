"""The forbidden-phrase check other apps call before a reply reaches a customer."""

from __future__ import annotations

import pytest

from postdesk.knowledge.models import ForbiddenRule
from postdesk.knowledge.services import phrase_check, phrases_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    phrases_load()


def kinds(text):
    return [(f.text, f.kind) for f in phrase_check(text=text)]


def test_cold_words_and_internal_terms_with_reasons(rules):
    findings = phrase_check(text="这个不归我们管，你自己去查吧。经判责本次有责。")
    assert [(f.text, f.kind) for f in findings] == [
        ("不归我们管", "cold_words"),
        ("你自己去查", "cold_words"),
        ("判责", "internal_terms"),
        ("有责", "internal_terms"),
    ]
    assert all(f.reason for f in findings)
    assert findings[0].start == 2 and findings[0].end == 7
    # the shorter pattern inside a longer one of the same kind is reported once
    assert [f.text for f in findings].count("自己去查") == 0


def test_manager_phone_numbers(rules):
    # the longer match of the same kind covers the shorter "主任的手机"
    assert kinds("我们陈主任的手机是13812345678") == [("主任的手机是13812345678", "manager_phone")]
    assert kinds("可以打局长办公室0577-88880001") == [("局长办公室0577-88880001", "manager_phone")]
    # a customer-service number or a plain phone without a manager is fine
    assert kinds("请拨打11185或者12305反映。") == []
    assert kinds("您留的电话13812345678我们已经记下。") == []


def test_regex_guards_avoid_false_alarms(rules):
    # 负责/责任/没有责 are ordinary words, not the internal 有责/无责 ruling
    assert kinds("我们会负责到底，这是我们的责任，没有责怪您的意思。") == []


def test_clean_reply_and_empty_text(rules):
    assert phrase_check(text="您好，您的邮件已经妥投，请问还有其他可以帮您的吗？") == []
    assert phrase_check(text="   ") == []


def test_rules_are_data_inactive_ones_are_ignored(rules):
    ForbiddenRule.objects.filter(pattern="考核").update(is_active=False)
    assert kinds("考核") == []
    ForbiddenRule.objects.create(pattern="亲", kind="cold_words", reason="不用网络用语")
    assert kinds("亲，好的") == [("亲", "cold_words")]


def test_works_without_loaded_rules_from_the_bundled_file(db):
    assert ForbiddenRule.objects.count() == 0
    assert kinds("不知道") == [("不知道", "cold_words")]


def test_load_is_idempotent(rules):
    count = ForbiddenRule.objects.count()
    phrases_load()
    assert ForbiddenRule.objects.count() == count > 30
