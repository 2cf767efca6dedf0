import copy
import json
import secrets
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from stdnum.cn import uscc

from exchange.client import department_signature

# Valid resident ID numbers (GB 11643): region 440305 (Nanshan) / 110101, with their check digit.
LEGAL_REP_ID = "440305199003071236"
SHAREHOLDER_ID = "440305199003074568"
ID_WITH_X = "44030519900307789X"
OTHER_ID = "110101198001011232"
# A credit code as market regulation issues them (passes stdnum.cn.uscc).
CREDIT_CODE = "91440305MA5F4Q2L8" + uscc.calc_check_digit("91440305MA5F4Q2L8")

COMPANY = {
    "name": "深圳市云帆科技有限公司",
    "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
    "business_scope": "软件开发；信息技术咨询服务",
    "registered_capital": "1000000.00",
    "employees": 5,
}

BODIES: dict[str, dict[str, Any]] = {
    "market_regulation": {
        "application_id": "app-1",
        "company": COMPANY,
        "legal_representative": {"name": "张伟", "id_number": LEGAL_REP_ID},
        "shareholders": [
            {"name": "张伟", "id_number": LEGAL_REP_ID, "contribution": "600000.00"},
            {"name": "李娜", "id_number": SHAREHOLDER_ID, "contribution": "400000.00"},
        ],
    },
    "tax": {
        "application_id": "app-1",
        "credit_code": CREDIT_CODE,
        "company": {key: COMPANY[key] for key in ("name", "address", "business_scope", "registered_capital")},
        "legal_representative": {"name": "张伟", "id_number": LEGAL_REP_ID, "phone": "13800138000"},
    },
    "public_security": {
        "application_id": "app-1",
        "credit_code": CREDIT_CODE,
        "company": {"name": COMPANY["name"]},
        "legal_representative": {"name": "张伟", "id_number": LEGAL_REP_ID},
    },
    "social_security": {
        "application_id": "app-1",
        "credit_code": CREDIT_CODE,
        "company": {key: COMPANY[key] for key in ("name", "address", "employees")},
        "legal_representative": {"name": "张伟"},
    },
    "housing_fund": {
        "application_id": "app-1",
        "credit_code": CREDIT_CODE,
        "company": {key: COMPANY[key] for key in ("name", "employees")},
    },
    "bank": {
        "application_id": "app-1",
        "credit_code": CREDIT_CODE,
        "company": {key: COMPANY[key] for key in ("name", "address")},
        "legal_representative": {"name": "张伟", "phone": "13800138000"},
    },
}


def body_for(code: str, **changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(BODIES[code])
    body.update(changes)
    return body


def auth(code: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {settings.DEPARTMENT_TOKENS[code]}"}


def signature_headers(
    department: str,
    *,
    method: str,
    path: str,
    body: bytes = b"",
    host: str = "testserver",
    timestamp: int | None = None,
    nonce: str | None = None,
) -> dict[str, str]:
    """The signature headers the platform sends (exchange.client.department_signature), as WSGI extras."""
    timestamp_text = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    route, _, query = path.partition("?")
    signature = department_signature(
        key=settings.DEPARTMENT_SIGNING_KEYS[department],
        timestamp=timestamp_text,
        nonce=nonce,
        method=method,
        host=host,
        path=route,
        query=query,
        body=body,
    )
    return {
        "HTTP_X_ONEWINDOW_TIMESTAMP": timestamp_text,
        "HTTP_X_ONEWINDOW_NONCE": nonce,
        "HTTP_X_ONEWINDOW_SIGNATURE": signature,
    }


class SignedClient(Client):
    """Django's test client signing every request as the platform does (HMAC, departments' keys).

    Requests without a bearer token, or with ``unsigned=True``, go out unsigned.
    """

    def generic(
        self,
        method: str,
        path: str,
        data: Any = "",
        content_type: str = "application/octet-stream",
        secure: bool = False,
        *,
        unsigned: bool = False,
        **extra: Any,
    ):
        authorization = extra.get("HTTP_AUTHORIZATION", "")
        department = path.split("/")[2] if path.startswith("/departments/") else ""
        if authorization.startswith("Bearer ") and not unsigned and department in settings.DEPARTMENT_SIGNING_KEYS:
            body = data.encode() if isinstance(data, str) else (data or b"")
            extra.update(signature_headers(department, method=method, path=path, body=body))
        return super().generic(method, path, data, content_type, secure, **extra)


class DepartmentClient:
    """Django's test client speaking the department protocol."""

    def __init__(self) -> None:
        self.client = SignedClient()

    def submit(self, code: str, body: Any, *, key: str | None = "key-1", token: str | None = None, **extra: Any):
        headers = auth(code) if token is None else {"HTTP_AUTHORIZATION": f"Bearer {token}"}
        if key is not None:
            headers["HTTP_IDEMPOTENCY_KEY"] = key
        return self.client.post(
            f"/departments/{code}/requests/",
            data=json.dumps(body),
            content_type="application/json",
            **headers,
            **extra,
        )

    def configure(self, code: str, **values: Any):
        return self.client.put(
            f"/departments/{code}/config/", data=json.dumps(values), content_type="application/json", **auth(code)
        )


@pytest.fixture(autouse=True)
def _no_latency(settings):
    # Config rows are created from these defaults on first use: no sleeping, no outages.
    settings.DEPARTMENT_LATENCY_MS = "0-0"
    settings.DEPARTMENT_FAILURE_RATE = 0.0


@pytest.fixture
def departments() -> DepartmentClient:
    return DepartmentClient()
