import copy
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from stdnum.cn import uscc

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
            timestamp = str(int(time.time()))
            message = f"{timestamp}\n{method.upper()}\n{path.split('?')[0]}\n".encode() + body
            key = settings.DEPARTMENT_SIGNING_KEYS[department].encode()
            extra["HTTP_X_ONEWINDOW_TIMESTAMP"] = timestamp
            extra["HTTP_X_ONEWINDOW_SIGNATURE"] = "sha256=" + hmac.new(key, message, hashlib.sha256).hexdigest()
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
