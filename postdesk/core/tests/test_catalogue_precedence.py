"""Our translation of a word must be the one a page shows. Django merges every
catalogue into one, the apps listed first in INSTALLED_APPS winning (django.contrib.admin
and auth before all of ours, core before workorders before calls…), so a bare "Timeline"
in the order page read 客户轨迹 (the customers app's), a missed call 超时完成 (a missed
deadline, workorders'), the lists' 筛选 button 过滤器 (admin's). Words whose meaning
differs by app carry a context (pgettext / `{% translate … context … %}`).

KNOWN lists the collisions left where the winning text means the same (a synonym, a
shorter form); a new collision fails until it has a context or is judged harmless here.
"""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

KNOWN = {
    ("callbacks", "Agent"),
    ("callbacks", "Assignee"),
    ("callbacks", "Mine"),
    ("callbacks", "The window must end after it starts."),
    ("callbacks", "This field is required."),
    ("callbacks", "assignee"),
    ("callbacks", "unassigned"),
    ("calls", "Caller"),
    ("calls", "Enter a phone number."),
    ("calls", "The body is not valid JSON."),
    ("calls", "Wallboard"),
    ("calls", "Workbench"),
    ("calls", "active"),
    ("calls", "agent"),
    ("calls", "extension"),
    ("calls", "since"),
    ("core", "Administration"),
    ("core", "Log out"),
    ("customers", "Search"),
    ("customers", "What"),
    ("knowledge", "History"),
    ("knowledge", "This field is required."),
    ("knowledge", "active"),
    ("knowledge", "ends"),
    ("knowledge", "kind"),
    ("knowledge", "new"),
    ("notices", "Acknowledge"),
    ("notices", "Overdue"),
    ("notices", "Result"),
    ("notices", "Show in full (logged)"),
    ("notices", "Text"),
    ("notices", "This field is required."),
    ("notices", "This value is not one of the allowed choices."),
    ("notices", "Your role does not see customers' personal data in full."),
    ("notices", "due"),
    ("notices", "notice"),
    ("notices", "number"),
    ("notices", "shown in full, logged"),
    ("notify", "This field is required."),
    ("notify", "This value is not valid."),
    ("org", "active"),
    ("portal", "Enter a valid date and time."),
    ("portal", "From"),
    ("portal", "The window must end after it starts."),
    ("portal", "This value contains control characters."),
    ("portal", "Waybill number"),
    ("quality", "Agent"),
    ("quality", "Comment"),
    ("quality", "Fatal fails"),
    ("quality", "Show"),
    ("quality", "Wrap-up"),
    ("quality", "created"),
    ("quality", "reason"),
    ("quality", "target"),
    ("reports", "Agent"),
    ("reports", "Answered"),
    ("reports", "Created"),
    ("reports", "Issued"),
    ("reports", "Open"),
    ("reports", "Show"),
    ("reports", "Sub-type"),
    ("reports", "Timely rate"),
    ("reports", "created at"),
    ("reports", "short"),
    ("routing", "This value contains control characters."),
    ("routing", "This value is too long."),
    ("routing", "active"),
    ("tracking", "Agent"),
    ("tracking", "Created at"),
    ("tracking", "Details"),
    ("tracking", "Enter a phone number."),
    ("tracking", "No customer has this number."),
    ("tracking", "Number"),
    ("tracking", "Result"),
    ("tracking", "Result entry"),
    ("tracking", "Search"),
    ("tracking", "Show"),
    ("tracking", "attempts"),
    ("tracking", "delivery attempt"),
    ("tracking", "delivery attempts"),
    ("tracking", "description"),
    ("workforce", "Accept"),
    ("workforce", "Agent"),
    ("workforce", "History"),
    ("workforce", "Kind"),
    ("workforce", "Label"),
    ("workforce", "Logged out"),
    ("workforce", "Show"),
    ("workforce", "Staffing"),
    ("workforce", "This field is required."),
    ("workforce", "Unknown action."),
    ("workforce", "Wrap-up"),
    ("workforce", "active"),
    ("workforce", "calls"),
    ("workforce", "connecting…"),
    ("workforce", "kind"),
    ("workforce", "new"),
    ("workforce", "notice"),
    ("workforce", "number"),
    ("workforce", "reconnecting…"),
    ("workorders", "Actions"),
    ("workorders", "Add"),
    ("workorders", "Created at"),
    ("workorders", "From"),
    ("workorders", "Show in full (logged)"),
    ("workorders", "Team board"),
    ("workorders", "This value is not one of the allowed choices."),
    ("workorders", "To"),
    ("workorders", "Unknown unit."),
    ("workorders", "kind"),
    ("workorders", "number"),
}

#: The collisions issue 20's screens showed wrong, each now with a context.
FIXED = [
    ("workorders", "work order history", "Timeline", "处理记录"),
    ("calls", "call outcome", "missed", "未接通"),
    ("calls", "calling number", "from", "主叫"),
    ("calls", "called number", "to", "被叫"),
    ("calls", "phone number", "Number", "号码"),
    ("tracking", "refused by the addressee", "rejected", "拒收"),
    ("tracking", "import status", "running", "导入中"),
    ("notices", "notice number", "Number", "编号"),
    ("notices", "notice history", "Timeline", "处理记录"),
    ("notices", "notice received", "Acknowledged", "已确认"),
    ("workforce", "awaiting approval", "pending", "待审批"),
    ("workforce", "record number", "Number", "编号"),
    ("quality", "quality inspection", "Answer", "答案"),
    ("reports", "target state", "met", "达标"),
    ("portal", "satisfaction rating", "Satisfied", "满意"),
    ("workorders", "list filter button", "Filter", "筛选"),
]


def _catalogues():
    root = Path(settings.BASE_DIR)
    for mo in sorted(root.glob("*/locale/zh_Hans/LC_MESSAGES/django.mo")):
        with mo.open("rb") as handle:
            yield mo.parts[-5], gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]


def test_every_word_shows_its_apps_translation_or_is_a_known_synonym():
    lost = []
    with translation.override("zh-hans"):
        for app, catalogue in _catalogues():
            for key, ours in catalogue.items():
                if not isinstance(key, str) or not key or not ours:
                    continue
                if "\x04" in key:
                    context, msgid = key.split("\x04", 1)
                    shown = translation.pgettext(context, msgid)
                else:
                    shown = translation.gettext(key)
                if shown != ours and (app, key) not in KNOWN:
                    lost.append(f"{app}: {key!r} is ours {ours}, the page shows {shown}")
    assert not lost, "\n".join(lost)


@pytest.mark.parametrize(("app", "context", "msgid", "expected"), FIXED)
def test_a_word_with_a_context_shows_its_apps_translation(app, context, msgid, expected):
    with translation.override("zh-hans"):
        assert translation.pgettext(context, msgid) == expected
