"""Deterministic, plausible Chinese names, phones and Wenzhou addresses for the demo
centre and benchmarks (pure; seeded `random.Random`)."""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁"
    "蔡蒋余于杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛"
    "闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬建国志文斌晓东海"
    "燕梅琳欣怡佳琪思远雨涵子轩浩然梓萱一诺宇航欣然佳怡俊杰晨曦嘉怡雅婷婉清立新"
)
DISTRICTS = [
    (
        "浙江省",
        "温州市",
        "鹿城区",
        ["五马街", "解放街", "车站大道", "人民路", "学院中路", "锦绣路"],
    ),
    ("浙江省", "温州市", "龙湾区", ["永中街道", "蒲州街道", "状元街道", "海滨街道"]),
    ("浙江省", "温州市", "瓯海区", ["娄桥街道", "梧田街道", "新桥街道", "南白象街道"]),
    ("浙江省", "温州市", "洞头区", ["北岙街道", "东屏街道"]),
    ("浙江省", "温州市", "瑞安市", ["安阳街道", "塘下镇", "玉海街道"]),
    ("浙江省", "温州市", "乐清市", ["城东街道", "柳市镇", "乐成街道"]),
    ("浙江省", "温州市", "永嘉县", ["上塘镇", "瓯北街道"]),
    ("浙江省", "温州市", "平阳县", ["昆阳镇", "鳌江镇"]),
    ("浙江省", "温州市", "苍南县", ["灵溪镇", "钱库镇"]),
]
COMPANY_WORDS = ["鞋业", "眼镜", "电器", "服饰", "阀门", "印刷", "汽摩配件", "文具", "食品", "灯具"]
COMPANY_PREFIX = ["瓯江", "东瓯", "鹿城", "雁荡", "瑞丰", "华盛", "永兴", "海天", "金港", "恒信"]
MOBILE_PREFIXES = [
    "138",
    "139",
    "135",
    "136",
    "137",
    "150",
    "151",
    "152",
    "157",
    "158",
    "159",
    "182",
    "187",
    "188",
    "130",
    "131",
    "132",
    "155",
    "156",
    "186",
    "133",
    "153",
    "177",
    "180",
    "181",
    "189",
    "199",
]


def person_name(rng: random.Random) -> str:
    given_len = 1 if rng.random() < 0.3 else 2
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(given_len))


def company_name(rng: random.Random) -> str:
    return f"温州{rng.choice(COMPANY_PREFIX)}{rng.choice(COMPANY_WORDS)}有限公司"


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    return f"0577-{rng.randrange(55000000, 89999999)}"


def address(rng: random.Random) -> tuple[str, str, str, str]:
    province, city, district, streets = rng.choice(DISTRICTS)
    street = rng.choice(streets)
    detail = (
        f"{street}{rng.randrange(1, 300)}号{rng.randrange(1, 30)}幢{rng.randrange(101, 2505)}室"
    )
    return province, city, district, detail
