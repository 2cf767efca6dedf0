"""What the benchmarks send: a clean application for a demo person, through the trusted channel.

Shared by `load.py`, `chaos.py` and `pipeline.py`, which run as scripts from this folder.
"""

import json
import uuid
from pathlib import Path

TRADE_WORDS = "云帆星河青禾远峰澄明知行拓新朗润嘉树鸿羽润川卓越"


def application_body(person: dict, *, company_name: str) -> dict:
    """The CONTRACT §4 document of a one-person company; the person is legal representative and
    sole shareholder."""
    return {
        "company": {
            "name": company_name,
            "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
            "business_scope": "软件开发；信息技术咨询服务",
            "registered_capital": "1000000.00",
            "employees": 5,
        },
        "legal_representative": {k: person[k] for k in ("name", "id_number", "phone")},
        "shareholders": [{"name": person["name"], "id_number": person["id_number"], "contribution": "1000000.00"}],
    }


def unique_company_name(*, suffix_length: int = 6) -> str:
    """A name no earlier run used: a trade name plus random hex (market regulation refuses a
    name it has registered)."""
    trade = "".join(TRADE_WORDS[b % len(TRADE_WORDS)] for b in uuid.uuid4().bytes[:3])
    return f"深圳市{trade}{uuid.uuid4().hex[:suffix_length].upper()}科技有限公司"


def trusted_key(var_dir: Path) -> str:
    """The demo trusted channel's key (it attests presence, so applications go straight to the
    checks and a benchmark measures the pipeline)."""
    return (var_dir / "demo-trusted-api-key.txt").read_text().strip()


def clean_person(var_dir: Path) -> dict:
    return next(p for p in json.loads((var_dir / "demo-people.json").read_text()) if p["kind"] == "clean")
