"""SMS gateway adapters: how one message reaches a provider, how its delivery receipts
and the customers' replies come back. Chosen by ``settings.SMS_GATEWAY["adapter"]``:

* ``"http"`` — a generic HTTP gateway: URL, method, headers, a JSON or form body made
  from a template (``{phone}``, ``{text}``, ``{template}``, ``{provider_template}``,
  ``{params_json}``, ``{out_id}``, ``{sign_name}`` and ``{param.NAME}``), and a success
  rule (HTTP status and, optionally, a JSON field and the value it must have). An
  optional ``query_url`` (with ``{out_id}``) asks it whether it knows a message.
* ``"aliyun"`` — the parameters of Alibaba Cloud's SendSms (PhoneNumbers, SignName,
  TemplateCode, TemplateParam as a JSON string, OutId), signed as its RPC API wants
  (HMAC-SHA1), QuerySendDetails to ask about a message whose send timed out, and its
  delivery-receipt push (a JSON array with phone_number, success, err_code, biz_id,
  out_id, report_time) and reply push (phone_number, content, send_time, sequence_id).
* ``"log"`` — nothing leaves the machine (the embedded default): the message is
  accepted at once and written to the log with the phone masked.

Every adapter answers a send with one of four outcomes: ``accepted`` (the provider has
it), ``rejected`` (permanently: a bad number, a refused template), ``temporary`` (not
sent: try again later) or ``unknown`` (the request may have reached the provider — a
timeout — so it must not be sent again blindly; see ``query``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from postdesk.core.masking import mask_phone

logger = logging.getLogger("postdesk.notify.sms")

Outcome = Literal["accepted", "rejected", "temporary", "unknown"]


@dataclass(frozen=True)
class Outgoing:
    phone: str  # as the provider wants it (national digits for a Chinese mobile)
    text: str
    template: str
    provider_template: str
    params: Mapping[str, Any]
    out_id: str
    sign_name: str
    sent_day: str = ""  # yyyymmdd (local) of the first attempt: QuerySendDetails needs it


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    biz_id: str = ""
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class QueryResult:
    outcome: Literal["found", "not_found", "unknown"]
    status: Literal["sent", "delivered", "failed"] = "sent"
    biz_id: str = ""
    code: str = ""


@dataclass(frozen=True)
class Receipt:
    out_id: str
    biz_id: str
    phone: str
    success: bool
    err_code: str
    err_message: str
    report_time: datetime | None


@dataclass(frozen=True)
class Reply:
    phone: str
    content: str
    sent_at: datetime | None
    sequence_id: str
    dest_code: str = ""


class PushError(ValueError):
    """A push body we cannot read; `field` names the part at fault."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class Gateway(Protocol):
    name: str

    def send(self, message: Outgoing) -> SendResult: ...

    def query(self, message: Outgoing) -> QueryResult: ...

    def parse_receipts(self, body: bytes) -> list[Receipt]: ...

    def parse_replies(self, body: bytes) -> list[Reply]: ...


# --------------------------------------------------------------------------- HTTP


@dataclass
class _Response:
    status: int
    body: bytes


def _http(
    method: str, url: str, *, data: bytes | None, headers: Mapping[str, str], timeout: float
) -> _Response | SendResult:
    """One request. A refused or unreachable gateway never got the message (temporary);
    a timeout or a connection lost after sending may have delivered it (unknown)."""
    request = urllib.request.Request(url, data=data, method=method, headers=dict(headers))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return _Response(response.status, response.read())
    except urllib.error.HTTPError as exc:
        return _Response(exc.code, exc.read() or b"")
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            return SendResult("unknown", code="timeout", message=str(reason))
        if isinstance(reason, ConnectionRefusedError | socket.gaierror):
            return SendResult("temporary", code="unreachable", message=str(reason))
        return SendResult("unknown", code="connection", message=str(reason))
    except TimeoutError as exc:
        return SendResult("unknown", code="timeout", message=str(exc))
    except (ConnectionResetError, ConnectionAbortedError, OSError) as exc:
        return SendResult("unknown", code="connection", message=str(exc))


def _json_path(document: Any, path: str) -> Any:
    current = document
    for part in [p for p in path.split(".") if p]:
        if isinstance(current, Mapping):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise PushError("report_time", "invalid") from None
    if parsed.tzinfo is None:  # providers in China report local (Beijing) time
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo("Asia/Shanghai"))
    return parsed


def _json_array(body: bytes) -> list[Mapping[str, Any]]:
    try:
        items = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise PushError("body", "not_json") from None
    if isinstance(items, Mapping):
        items = [items]
    if not isinstance(items, list) or not items:
        raise PushError("body", "not_array")
    for index, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise PushError(f"{index}", "not_object")
    return items


def _text(item: Mapping[str, Any], name: str, index: int, required: bool = True) -> str:
    value = item.get(name)
    if value is None or value == "":
        if required:
            raise PushError(f"{index}.{name}", "missing")
        return ""
    if not isinstance(value, str | int):
        raise PushError(f"{index}.{name}", "invalid")
    return str(value)[:200]


def parse_receipt_array(body: bytes) -> list[Receipt]:
    """The receipt push both adapters read: a JSON array of objects with phone_number,
    success, err_code, err_msg, biz_id, out_id, report_time (Alibaba Cloud's SmsReport)."""
    receipts = []
    for index, item in enumerate(_json_array(body)):
        success = item.get("success")
        if isinstance(success, str) and success.lower() in {"true", "false"}:
            success = success.lower() == "true"
        if not isinstance(success, bool):
            raise PushError(f"{index}.success", "invalid")
        try:
            report_time = _parse_time(item.get("report_time"))
        except PushError:
            raise PushError(f"{index}.report_time", "invalid") from None
        receipts.append(
            Receipt(
                out_id=_text(item, "out_id", index, required=False),
                biz_id=_text(item, "biz_id", index, required=False),
                phone=_text(item, "phone_number", index),
                success=success,
                err_code=_text(item, "err_code", index, required=False),
                err_message=_text(item, "err_msg", index, required=False),
                report_time=report_time,
            )
        )
        if not receipts[-1].out_id and not receipts[-1].biz_id:
            raise PushError(f"{index}.out_id", "missing")
    return receipts


def parse_reply_array(body: bytes) -> list[Reply]:
    """The reply push: a JSON array of objects with phone_number, content, send_time,
    sequence_id and dest_code (Alibaba Cloud's SmsUp)."""
    replies = []
    for index, item in enumerate(_json_array(body)):
        try:
            sent_at = _parse_time(item.get("send_time"))
        except PushError:
            raise PushError(f"{index}.send_time", "invalid") from None
        content = item.get("content")
        if not isinstance(content, str) or not content.strip():
            raise PushError(f"{index}.content", "missing")
        replies.append(
            Reply(
                phone=_text(item, "phone_number", index),
                content=content.strip()[:1000],
                sent_at=sent_at,
                sequence_id=_text(item, "sequence_id", index, required=False),
                dest_code=_text(item, "dest_code", index, required=False),
            )
        )
    return replies


def _fill(value: Any, message: Outgoing) -> Any:
    """Substitute the message's values into a body template (strings, nested)."""
    if isinstance(value, str):
        values = {
            "phone": message.phone,
            "text": message.text,
            "template": message.template,
            "provider_template": message.provider_template,
            "params_json": json.dumps(dict(message.params), ensure_ascii=False),
            "out_id": message.out_id,
            "sign_name": message.sign_name,
        }
        for name, param in message.params.items():
            values[f"param.{name}"] = str(param)
        out = value
        for name, replacement in values.items():
            out = out.replace("{" + name + "}", replacement)
        return out
    if isinstance(value, Mapping):
        return {k: _fill(v, message) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, message) for v in value]
    return value


@dataclass
class HttpGateway:
    """The generic adapter. `config` keys: url, method (POST), headers, body ("json" or
    "form"), template (the body's fields), success ({"status": 200, "field": "code",
    "equals": "0"}), biz_id_field, temporary_statuses (429 and 5xx by default),
    temporary_codes, timeout (seconds), query_url, query_found ({"field", "equals"}),
    query_status_field."""

    config: Mapping[str, Any]
    name: str = "http"

    def _timeout(self) -> float:
        return float(self.config.get("timeout", 5))

    def send(self, message: Outgoing) -> SendResult:
        cfg = self.config
        fields = _fill(
            cfg.get("template") or {"phone": "{phone}", "text": "{text}", "out_id": "{out_id}"},
            message,
        )
        headers = dict(_fill(cfg.get("headers") or {}, message))
        data: bytes | None
        if cfg.get("body", "json") == "form":
            data = urllib.parse.urlencode(fields).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            data = json.dumps(fields, ensure_ascii=False).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        method = str(cfg.get("method", "POST")).upper()
        url = str(cfg["url"])
        if method == "GET":
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(fields)
            data = None
        answer = _http(method, url, data=data, headers=headers, timeout=self._timeout())
        if isinstance(answer, SendResult):
            return answer
        return self._judge(answer)

    def _judge(self, answer: _Response) -> SendResult:
        cfg = self.config
        rule = cfg.get("success") or {"status": 200}
        temporary = set(cfg.get("temporary_statuses") or [429, *range(500, 600)])
        document: Any = None
        try:
            document = json.loads(answer.body.decode("utf-8")) if answer.body else None
        except (ValueError, UnicodeDecodeError):
            document = None
        code = ""
        if rule.get("field") and document is not None:
            found = _json_path(document, str(rule["field"]))
            code = "" if found is None else str(found)
        ok_status = answer.status == int(rule.get("status", 200))
        ok_field = not rule.get("field") or code == str(rule.get("equals", ""))
        if ok_status and ok_field:
            biz = _json_path(document, str(cfg.get("biz_id_field", ""))) if document else None
            return SendResult("accepted", biz_id="" if biz is None else str(biz)[:64], code=code)
        if answer.status in temporary or code in set(map(str, cfg.get("temporary_codes") or [])):
            return SendResult("temporary", code=code or str(answer.status))
        return SendResult("rejected", code=code or str(answer.status))

    def query(self, message: Outgoing) -> QueryResult:
        url = self.config.get("query_url")
        if not url:
            return QueryResult("unknown")
        answer = _http(
            "GET",
            _fill(str(url), message),
            data=None,
            headers=dict(_fill(self.config.get("headers") or {}, message)),
            timeout=self._timeout(),
        )
        if isinstance(answer, SendResult):
            return QueryResult("unknown")
        if answer.status == 404:
            return QueryResult("not_found")
        if answer.status != 200:
            return QueryResult("unknown")
        try:
            document = json.loads(answer.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return QueryResult("unknown")
        status = str(_json_path(document, str(self.config.get("query_status_field", "status"))))
        biz = _json_path(document, str(self.config.get("biz_id_field", "")))
        mapped: Literal["sent", "delivered", "failed"] = (
            "delivered" if status == "delivered" else "failed" if status == "failed" else "sent"
        )
        return QueryResult("found", status=mapped, biz_id="" if biz is None else str(biz))

    def parse_receipts(self, body: bytes) -> list[Receipt]:
        return parse_receipt_array(body)

    def parse_replies(self, body: bytes) -> list[Reply]:
        return parse_reply_array(body)


# --------------------------------------------------------------------------- Alibaba Cloud

#: Codes of SendSms that mean "not now, later" (flow control, the provider's own trouble).
ALIYUN_TEMPORARY = frozenset(
    {
        "isv.BUSINESS_LIMIT_CONTROL",
        "isp.SYSTEM_ERROR",
        "isv.OUT_OF_SERVICE",
        "isv.AMOUNT_NOT_ENOUGH",
        "Throttling.User",
        "Throttling",
        "ServiceUnavailable",
        "InternalError",
    }
)


def _pop_quote(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """The RPC signature (SignatureMethod HMAC-SHA1, SignatureVersion 1.0)."""
    canonical = "&".join(f"{_pop_quote(k)}={_pop_quote(v)}" for k, v in sorted(params.items()))
    to_sign = f"{method}&{_pop_quote('/')}&{_pop_quote(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@dataclass
class AliyunGateway:
    """Alibaba Cloud SMS (dysmsapi, version 2017-05-25). `config` keys: access_key_id,
    access_key_secret, sign_name, endpoint (https://dysmsapi.aliyuncs.com/), region_id,
    timeout."""

    config: Mapping[str, Any]
    name: str = "aliyun"
    _clock: Any = field(default=None, repr=False)

    def _call(self, action: str, extra: Mapping[str, str]) -> _Response | SendResult:
        cfg = self.config
        now = (self._clock or (lambda: datetime.now(UTC)))()
        params = {
            "Action": action,
            "Version": "2017-05-25",
            "RegionId": str(cfg.get("region_id", "cn-hangzhou")),
            "Format": "JSON",
            "AccessKeyId": str(cfg.get("access_key_id", "")),
            "SignatureMethod": "HMAC-SHA1",
            "SignatureVersion": "1.0",
            "SignatureNonce": uuid.uuid4().hex,
            "Timestamp": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            **extra,
        }
        params["Signature"] = aliyun_signature(params, str(cfg.get("access_key_secret", "")))
        return _http(
            "POST",
            str(cfg.get("endpoint", "https://dysmsapi.aliyuncs.com/")),
            data=urllib.parse.urlencode(params).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            timeout=float(cfg.get("timeout", 5)),
        )

    def send(self, message: Outgoing) -> SendResult:
        answer = self._call(
            "SendSms",
            {
                "PhoneNumbers": message.phone,
                "SignName": message.sign_name,
                "TemplateCode": message.provider_template,
                "TemplateParam": json.dumps(dict(message.params), ensure_ascii=False),
                "OutId": message.out_id,
            },
        )
        if isinstance(answer, SendResult):
            return answer
        try:
            document = json.loads(answer.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            document = {}
        code = str(document.get("Code", "")) if isinstance(document, Mapping) else ""
        if answer.status == 200 and code == "OK":
            return SendResult("accepted", biz_id=str(document.get("BizId", ""))[:64], code=code)
        if answer.status >= 500 or answer.status == 429 or code in ALIYUN_TEMPORARY:
            return SendResult("temporary", code=code or str(answer.status))
        message_text = str(document.get("Message", "")) if isinstance(document, Mapping) else ""
        return SendResult("rejected", code=code or str(answer.status), message=message_text)

    def query(self, message: Outgoing) -> QueryResult:
        answer = self._call(
            "QuerySendDetails",
            {
                "PhoneNumber": message.phone,
                "SendDate": message.sent_day,
                "PageSize": "50",
                "CurrentPage": "1",
            },
        )
        if isinstance(answer, SendResult) or answer.status != 200:
            return QueryResult("unknown")
        try:
            document = json.loads(answer.body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return QueryResult("unknown")
        if not isinstance(document, Mapping) or document.get("Code") != "OK":
            return QueryResult("unknown")
        details = _json_path(document, "SmsSendDetailDTOs.SmsSendDetailDTO") or []
        for detail in details if isinstance(details, list) else []:
            if isinstance(detail, Mapping) and str(detail.get("OutId", "")) == message.out_id:
                state = str(detail.get("SendStatus", "1"))
                status: Literal["sent", "delivered", "failed"] = (
                    "delivered" if state == "3" else "failed" if state == "2" else "sent"
                )
                return QueryResult(
                    "found",
                    status=status,
                    biz_id=str(detail.get("BizId", "")),
                    code=str(detail.get("ErrCode", "")),
                )
        return QueryResult("not_found")

    def parse_receipts(self, body: bytes) -> list[Receipt]:
        return parse_receipt_array(body)

    def parse_replies(self, body: bytes) -> list[Reply]:
        return parse_reply_array(body)


# --------------------------------------------------------------------------- log


@dataclass
class LogGateway:
    """Nothing leaves the machine: accepted at once, written to the log (phone masked)."""

    config: Mapping[str, Any]
    name: str = "log"

    def send(self, message: Outgoing) -> SendResult:
        logger.info("SMS to %s: %s", mask_phone(message.phone), message.template)
        return SendResult("accepted", biz_id=f"log-{message.out_id}")

    def query(self, message: Outgoing) -> QueryResult:
        return QueryResult("not_found")

    def parse_receipts(self, body: bytes) -> list[Receipt]:
        return parse_receipt_array(body)

    def parse_replies(self, body: bytes) -> list[Reply]:
        return parse_reply_array(body)


ADAPTERS: dict[str, type[HttpGateway] | type[AliyunGateway] | type[LogGateway]] = {
    "http": HttpGateway,
    "aliyun": AliyunGateway,
    "log": LogGateway,
}


def gateway_from(config: Mapping[str, Any]) -> Gateway:
    adapter = str(config.get("adapter", "log"))
    try:
        cls = ADAPTERS[adapter]
    except KeyError:
        raise LookupError(
            f"no SMS adapter named {adapter!r}; use one of {sorted(ADAPTERS)}"
        ) from None
    return cls(config)
