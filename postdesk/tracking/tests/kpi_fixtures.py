"""Hand-made delivery scenarios, each a list of CSV rows (the import format), and the
figures the KPI rules give for them. Times without an offset are Asia/Shanghai."""

from __future__ import annotations

HEADER = (
    "waybill_no,event_time,event_code,office_code,office_name,recorded_at,"
    "operator,reason,signer,description"
)

# 1. Re-delivery next day: failed on the 4th, out again and delivered on the 5th.
REDELIVERY = [
    "EA473124829CN,2024-03-04T08:00:00,OUT_FOR_DELIVERY,325000,鹿城投递部,2024-03-04T08:01:00,c1,,,",
    "EA473124829CN,2024-03-04T15:00:00,DELIVERY_FAILED,325000,鹿城投递部,2024-03-04T15:05:00,c1,收件人不在,,",
    "EA473124829CN,2024-03-05T08:00:00,OUT_FOR_DELIVERY,325000,鹿城投递部,2024-03-05T08:01:00,c1,,,",
    "EA473124829CN,2024-03-05T10:00:00,DELIVERED,325000,鹿城投递部,2024-03-05T10:02:00,c1,,本人,",
]
# 2. Result after the cut-off: delivered 21:00, recorded 22:30 (deadline 23:00: timely)
#    and another delivered 20:30, recorded 23:00 (deadline 22:30: online, not timely).
AFTER_CUTOFF = [
    "9700000000001,2024-03-06T09:00:00,OUT_FOR_DELIVERY,325000,鹿城投递部,2024-03-06T09:00:00,c2,,,",
    "9700000000001,2024-03-06T21:00:00,DELIVERED,325000,鹿城投递部,2024-03-06T22:30:00,c2,,门卫,",
    "9700000000002,2024-03-06T09:00:00,OUT_FOR_DELIVERY,325000,鹿城投递部,2024-03-06T09:00:00,c2,,,",
    "9700000000002,2024-03-06T20:30:00,DELIVERED,325000,鹿城投递部,2024-03-06T23:00:00,c2,,门卫,",
]
# 3. A result-only attempt (no OUT_FOR_DELIVERY at that office), recorded next morning
#    (deadline 20:00 that day: not timely).
RESULT_ONLY = [
    "9700000000003,2024-03-07T14:00:00,DELIVERED,325100,龙湾投递部,2024-03-08T09:00:00,c3,,本人,",
]
# 4. A result recorded after the report's as-of time (as-of 2024-03-31T12:00+08:00).
RECORDED_AFTER_AS_OF = [
    "9700000000004,2024-03-31T08:00:00,OUT_FOR_DELIVERY,325100,龙湾投递部,2024-03-31T08:00:00,c4,,,",
    "9700000000004,2024-03-31T10:00:00,DELIVERED,325100,龙湾投递部,2024-03-31T13:00:00,c4,,本人,",
]
# 5. Times with a UTC offset: out 2024-03-08T23:30Z = 03-09 07:30 local (belongs to the
#    9th), delivered 03-09T04:00Z = 12:00 local, recorded 03-09T11:59:59Z = 19:59:59 local
#    (before 20:00: timely).
UTC_OFFSET = [
    "9700000000005,2024-03-08T23:30:00Z,OUT_FOR_DELIVERY,325100,龙湾投递部,2024-03-08T23:31:00Z,c5,,,",
    "9700000000005,2024-03-09T04:00:00+00:00,DELIVERED,325100,龙湾投递部,2024-03-09T11:59:59+00:00,c5,,本人,",
]
# 6. Chinese code aliases: 安排投递 then 未妥投 (recorded on time), then a second
#    result 妥投 before any new OUT_FOR_DELIVERY: an attempt of its own.
CHINESE_ALIASES = [
    "9700000000006,2024-03-10 08:00:00,安排投递,325000,鹿城投递部,2024-03-10 08:00:00,c6,,,",
    "9700000000006,2024-03-10 11:00:00,未妥投,325000,鹿城投递部,2024-03-10 11:10:00,c6,地址不详,,",
    "9700000000006,2024-03-10 16:00:00,妥投,325000,鹿城投递部,2024-03-10 16:10:00,c6,,本人,",
]
# 7. Out for delivery and never a result: an attempt that is neither online nor timely,
#    and on the chase list after 20:00 that day.
NO_RESULT = [
    "9700000000007,2024-03-11T08:00:00,OUT_FOR_DELIVERY,325000,鹿城投递部,2024-03-11T08:00:00,c7,,,",
]

ALL = (
    REDELIVERY
    + AFTER_CUTOFF
    + RESULT_ONLY
    + RECORDED_AFTER_AS_OF
    + UTC_OFFSET
    + CHINESE_ALIASES
    + NO_RESULT
)
AS_OF = "2024-03-31T12:00:00+08:00"

# (office, local day) -> [attempts, online, timely] at AS_OF
EXPECTED_DAILY = {
    "325000|2024-03-04": [1, 1, 1],
    "325000|2024-03-05": [1, 1, 1],
    "325000|2024-03-06": [2, 2, 1],
    "325100|2024-03-07": [1, 1, 0],
    "325100|2024-03-31": [1, 0, 0],
    "325100|2024-03-09": [1, 1, 1],
    "325000|2024-03-10": [2, 2, 2],
    "325000|2024-03-11": [1, 0, 0],
}


def csv_text(rows: list[str]) -> str:
    return HEADER + "\n" + "\n".join(rows) + "\n"
