"""The demo centre's service-area table: which Wenzhou branch serves which district,
township and road, and sample addresses with the answer each should get.

The table is loaded through the same import as `postdesk import_service_areas` (so a
second run adds nothing). The samples are shown, with the router's live answer, on the
samples page (/routing/samples/); `tests/test_demo.py` checks every sample's answer.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from postdesk.org.models import Unit
from postdesk.routing.services import HEADER, service_areas_import

# unit_code, province, city, district, town, keywords ("" = any; keywords "|"-separated)
AREAS: list[tuple[str, str, str, str, str, str]] = [
    ("WZ-LC01", "浙江省", "温州市", "鹿城区", "", ""),
    ("WZ-LC02", "", "", "鹿城区", "五马街道", ""),
    ("WZ-LC02", "", "", "鹿城区", "松台街道", ""),
    ("WZ-LC03", "", "", "鹿城区", "南郊街道", ""),
    ("WZ-LC03", "", "", "鹿城区", "双屿街道", ""),
    ("WZ-LC03", "", "", "鹿城区", "", "解放路|划龙桥路"),
    ("WZ-LW01", "", "温州市", "龙湾区", "", ""),
    ("WZ-LW02", "", "", "龙湾区", "永中街道", ""),
    ("WZ-LW02", "", "", "龙湾区", "海滨街道", ""),
    ("WZ-OH01", "", "", "瓯海区", "", ""),
    ("WZ-OH02", "", "", "瓯海区", "娄桥街道", ""),
    ("WZ-OH02", "", "", "瓯海区", "郭溪街道", ""),
    ("WZ-DT01", "", "", "洞头区", "", ""),
    ("RA-01", "", "", "瑞安市", "", ""),
    ("RA-02", "", "", "瑞安市", "塘下镇", ""),
    ("YQ-01", "", "", "乐清市", "", ""),
    ("YQ-02", "", "", "乐清市", "柳市镇", ""),
    ("YQ-02", "", "", "乐清市", "北白象镇", ""),
    ("YJ-01", "", "", "永嘉县", "", ""),
    ("PY-01", "", "", "平阳县", "", ""),
    ("CN-01", "", "", "苍南县", "灵溪镇", ""),
]


@dataclass(frozen=True)
class Sample:
    address: str
    status: str  # what the router should answer
    units: tuple[str, ...]  # the unit (matched) or the candidates (ambiguous)
    note: str | Promise  # what the sample shows


SAMPLES: list[Sample] = [
    Sample("浙江省温州市鹿城区五马街道公园路12号", "matched", ("WZ-LC02",), _("full form")),
    Sample("温州鹿城南郊街道信河街5号", "matched", ("WZ-LC03",), _("short names")),
    Sample(
        "温州市鹿城区划龙桥路88号3幢2单元",
        "matched",
        ("WZ-LC03",),
        _("a keyword beats the district; a trailing flat number"),
    ),
    Sample(
        "鹿城区五马街道解放路12号",
        "ambiguous",
        ("WZ-LC02", "WZ-LC03"),
        _("a township rule and a keyword rule tie: a person decides"),
    ),
    Sample(
        "鹿城区藤桥镇石埠村", "matched", ("WZ-LC01",), _("a township without a rule of its own")
    ),
    Sample("瑞安塘下镇韩田村", "matched", ("RA-02",), _("a county-level city and its town")),
    Sample(
        "地址：瑞安市安阳街道万松路１２号",
        "matched",
        ("RA-01",),
        _("a prefix and full-width digits"),
    ),
    Sample("浙江 温州 龙湾 永中街道 永宁西路", "matched", ("WZ-LW02",), _("spaces between parts")),
    Sample(
        "龙湾区状元街道车站大道 到了打电话",
        "matched",
        ("WZ-LW01",),
        _("a note to the courier at the end"),
    ),
    Sample("瓯海区郭溪街道塘头村6组", "matched", ("WZ-OH02",), _("a village and its group")),
    Sample("洞头县北岙镇新城路", "matched", ("WZ-DT01",), _("the old names of a district")),
    Sample("乐清柳市镇长虹村 近华联超市", "matched", ("YQ-02",), _("a landmark at the end")),
    Sample("浙江温州苍南灵溪镇人民大道", "matched", ("CN-01",), _("province, city, county, town")),
    Sample("苍南县钱库镇新街", "unmatched", (), _("a town no rule covers")),
    Sample("杭州市西湖区温州路1号", "unmatched", (), _("another city (a road named after ours)")),
    Sample("上海市浦东新区世纪大道100号", "unmatched", (), _("another province")),
    Sample("解放路12号", "unmatched", (), _("no district in the address")),
    Sample("鼓楼区中山路1号", "unmatched", (), _("a district name of several cities")),
]


def areas_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(AREAS)
    return out.getvalue().encode()


def seed(stdout: Any = None) -> None:
    if not Unit.objects.filter(code=AREAS[0][0]).exists():
        return  # not the demo organisation
    report = service_areas_import(data=areas_csv())
    if stdout is not None:
        stdout.write(
            f"demo service areas: {report.created} created, {report.unchanged} unchanged, "
            f"{report.rejected} rejected"
        )
