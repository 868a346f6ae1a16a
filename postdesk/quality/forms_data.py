"""The demo centre's two inspection forms, in the centre's terms (the manual's duties)."""

from __future__ import annotations

from typing import Any

CALL_FORM: dict[str, Any] = {
    "name": "来电服务质检表",
    "target": "call",
    "branch_reply": False,
    "sections": [
        {
            "title": "开场与核实",
            "questions": [
                {"key": "greeting", "text": "规范问候并报工号", "kind": "yes_no", "weight": 2},
                {
                    "key": "verify_caller",
                    "text": "按规定核实来电人身份",
                    "kind": "yes_no",
                    "weight": 2,
                    "allow_na": True,
                },
            ],
        },
        {
            "title": "业务解答",
            "questions": [
                {
                    "key": "correct_answer",
                    "text": "依知识库正确解答",
                    "kind": "scale",
                    "max": 4,
                    "weight": 4,
                    "comment_required": True,
                },
                {
                    "key": "type_subtype",
                    "text": "工单类型与子类正确",
                    "kind": "yes_no",
                    "weight": 2,
                    "allow_na": True,
                },
                {
                    "key": "complete_intake",
                    "text": "受理信息完整",
                    "kind": "scale",
                    "max": 3,
                    "weight": 2,
                    "allow_na": True,
                },
            ],
        },
        {
            "title": "服务规范",
            "questions": [
                {
                    "key": "service_phrases",
                    "text": "使用服务用语，百问不厌",
                    "kind": "scale",
                    "max": 5,
                    "weight": 3,
                    "critical": True,
                    "comment_required": True,
                },
                {
                    "key": "no_forbidden_phrases",
                    "text": "无冷言恶语、无简单搪塞",
                    "kind": "yes_no",
                    "weight": 2,
                    "critical": True,
                    "comment_required": True,
                },
                {
                    "key": "no_internal_info",
                    "text": "未透露内部不公开信息",
                    "kind": "yes_no",
                    "weight": 1,
                    "fatal": True,
                    "comment_required": True,
                },
            ],
        },
    ],
}

REPLY_FORM: dict[str, Any] = {
    "name": "工单处理与支局回复质检表",
    "target": "work_order",
    "branch_reply": True,
    "sections": [
        {
            "title": "受理",
            "questions": [
                {"key": "type_subtype", "text": "工单类型与子类正确", "weight": 2},
                {
                    "key": "complete_intake",
                    "text": "受理信息完整",
                    "kind": "scale",
                    "max": 3,
                    "weight": 2,
                },
            ],
        },
        {
            "title": "支局回复",
            "questions": [
                {
                    "key": "deadline_kept",
                    "text": "在时限内回复",
                    "weight": 3,
                    "critical": True,
                    "comment_required": True,
                },
                {
                    "key": "reply_clear",
                    "text": "回复内容清楚、礼貌",
                    "kind": "scale",
                    "max": 4,
                    "weight": 3,
                    "comment_required": True,
                },
                {
                    "key": "no_forbidden_phrases",
                    "text": "回复中无推诿、搪塞用语",
                    "weight": 1,
                    "critical": True,
                },
                {
                    "key": "no_internal_info",
                    "text": "未向客户透露内部不公开信息",
                    "weight": 1,
                    "fatal": True,
                },
            ],
        },
    ],
}
