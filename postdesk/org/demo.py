"""The demo organisation: Wenzhou city bureau, its 11185 centre, departments, branch
offices and county bureaus, and the staff who log in to the demo."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from postdesk.core.demo import DEMO_PASSWORD
from postdesk.org.models import Unit, UnitType, User
from postdesk.org.services import staff_create, unit_create

T = UnitType
# (code, name, type, parent code, internal phone)
UNITS: list[tuple[str, str, str, str | None, str]] = [
    ("WZ", "温州市邮政局", T.CITY_BUREAU, None, "0577-88880001"),
    ("WZ-SC", "市场经营部", T.DEPARTMENT, "WZ", "0577-88880100"),
    ("WZ-KA", "大客户中心", T.DEPARTMENT, "WZ-SC", "0577-88880110"),
    ("WZ-11185", "11185客服中心", T.SERVICE_CENTRE, "WZ-KA", "0577-88880185"),
    ("WZ-11185-HW", "话务班", T.TEAM, "WZ-11185", "0577-88880186"),
    ("WZ-YW", "运维部", T.DEPARTMENT, "WZ", "0577-88880200"),
    ("WZ-EMS", "速递物流专业局", T.SPECIALISED_BUREAU, "WZ", "0577-88880300"),
    ("WZ-JY", "集邮与文化传媒专业局", T.SPECIALISED_BUREAU, "WZ", "0577-88880310"),
    ("WZ-LC01", "鹿城支局", T.BRANCH, "WZ", "0577-88881001"),
    ("WZ-LC02", "五马投递部", T.BRANCH, "WZ", "0577-88881002"),
    ("WZ-LC03", "南郊支局", T.BRANCH, "WZ", "0577-88881003"),
    ("WZ-LW01", "龙湾支局", T.BRANCH, "WZ", "0577-88882001"),
    ("WZ-LW02", "永中投递部", T.BRANCH, "WZ", "0577-88882002"),
    ("WZ-OH01", "瓯海支局", T.BRANCH, "WZ", "0577-88883001"),
    ("WZ-OH02", "娄桥投递部", T.BRANCH, "WZ", "0577-88883002"),
    ("WZ-DT01", "洞头支局", T.BRANCH, "WZ", "0577-88884001"),
    ("RA", "瑞安市邮政局", T.COUNTY_BUREAU, "WZ", "0577-65810001"),
    ("RA-11185", "瑞安11185客服中心", T.SERVICE_CENTRE, "RA", "0577-65810185"),
    ("RA-01", "瑞安城关支局", T.BRANCH, "RA", "0577-65811001"),
    ("RA-02", "塘下支局", T.BRANCH, "RA", "0577-65811002"),
    ("YQ", "乐清市邮政局", T.COUNTY_BUREAU, "WZ", "0577-62510001"),
    ("YQ-11185", "乐清11185客服中心", T.SERVICE_CENTRE, "YQ", "0577-62510185"),
    ("YQ-01", "乐清城东支局", T.BRANCH, "YQ", "0577-62511001"),
    ("YQ-02", "柳市支局", T.BRANCH, "YQ", "0577-62511002"),
    ("YJ", "永嘉县邮政局", T.COUNTY_BUREAU, "WZ", "0577-67210001"),
    ("YJ-01", "上塘支局", T.BRANCH, "YJ", "0577-67211001"),
    ("PY", "平阳县邮政局", T.COUNTY_BUREAU, "WZ", "0577-63710001"),
    ("PY-01", "昆阳支局", T.BRANCH, "PY", "0577-63711001"),
    ("CN", "苍南县邮政局", T.COUNTY_BUREAU, "WZ", "0577-64710001"),
    ("CN-01", "灵溪支局", T.BRANCH, "CN", "0577-64711001"),
]

# (username, display name, role, unit code, agent number, extension)
STAFF: list[tuple[str, str, str, str | None, str, str]] = [
    ("admin", "系统管理员", "admin", "WZ-YW", "", ""),
    ("director1", "陈主任", "director", "WZ-KA", "D001", "8800"),
    ("lead1", "林班长", "lead", "WZ-11185-HW", "L001", "8100"),
    ("agent1", "王晓燕", "agent", "WZ-11185-HW", "A001", "8001"),
    ("agent2", "李佳琪", "agent", "WZ-11185-HW", "A002", "8002"),
    ("agent3", "张丽华", "agent", "WZ-11185-HW", "A003", "8003"),
    ("agent4", "刘思远", "agent", "WZ-11185-HW", "A004", "8004"),
    ("agent5", "黄静怡", "agent", "WZ-11185-HW", "A005", "8005"),
    ("agent6", "周梦琳", "agent", "WZ-11185-HW", "A006", "8006"),
    ("agent7", "吴海燕", "agent", "WZ-11185-HW", "A007", "8007"),
    ("agent8", "郑雅婷", "agent", "WZ-11185-HW", "A008", "8008"),
    ("lead2", "潘班长", "lead", "WZ-11185-HW", "L002", "8101"),
    ("branch1", "徐建国", "handler", "WZ-LC01", "B001", ""),
    ("branch2", "蔡文斌", "handler", "WZ-LW01", "B002", ""),
    ("branch3", "金晓东", "handler", "WZ-OH01", "B003", ""),
    ("branch4", "叶志强", "handler", "WZ-LC02", "B004", ""),
    ("ems1", "胡立新", "handler", "WZ-EMS", "E001", ""),
    ("ra_agent1", "孙雨欣", "agent", "RA-11185", "RA01", "8501"),
    ("ra_lead1", "朱班长", "lead", "RA-11185", "RAL1", "8510"),
    ("ra_branch1", "戴国平", "handler", "RA-01", "RAB1", ""),
    ("yq_agent1", "施佳慧", "agent", "YQ-11185", "YQ01", "8601"),
    ("yq_branch1", "卢伟", "handler", "YQ-01", "YQB1", ""),
    ("auditor1", "何审计", "auditor", "WZ", "", ""),
]


def seed(stdout: Any = None) -> None:
    with transaction.atomic():
        units: dict[str, Unit] = {u.code: u for u in Unit.objects.all()}
        for code, name, type_, parent, phone in UNITS:
            if code not in units:
                units[code] = unit_create(
                    code=code,
                    name=name,
                    type=type_,
                    parent=units[parent] if parent else None,
                    phone=phone,
                )
        existing = set(User.objects.values_list("username", flat=True))
        created = []
        for username, display, role, unit_code, agent_no, extension in STAFF:
            if username in existing:
                continue
            created.append(username)
            staff_create(
                username=username,
                password=None,
                role=role,
                unit=units[unit_code] if unit_code else None,
                display_name=display,
                agent_no=agent_no,
                extension=extension,
                email=f"{username}@demo.postdesk.local",
            )
        # The same demo password for everyone: hashed once, not once per user.
        User.objects.filter(username__in=created).update(password=make_password(DEMO_PASSWORD))
    if stdout is not None:
        stdout.write(
            f"demo organisation: {Unit.objects.count()} units, {User.objects.count()} staff"
        )
