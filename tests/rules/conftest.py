from __future__ import annotations

from collections.abc import Callable

import pytest

from rules.demo import demo_csv, demo_rows
from rules.engine import Subject
from rules.lists import ADDRESS_BLACKLIST, DISHONEST_PERSONS, ENTERPRISES, NAME_WORDS, STANDARD_ADDRESSES
from rules.services import ImportSummary, list_import

ImportRows = Callable[..., ImportSummary]


@pytest.fixture(scope="session")
def demo() -> dict[str, list[dict[str, str]]]:
    return demo_rows()


@pytest.fixture
def import_rows(db) -> ImportRows:
    """Import rows of a list kind through the real CSV import, published unless told otherwise."""

    def load(kind: str, rows: list[dict[str, str]], *, publish: bool = True) -> ImportSummary:
        return list_import(kind=kind, text=demo_csv(kind, rows), publish=publish, source="test")

    return load


@pytest.fixture
def demo_loaded(import_rows: ImportRows, demo) -> dict[str, list[dict[str, str]]]:
    """All five demo lists imported and published (standard addresses before the blacklist)."""
    for kind in (NAME_WORDS, ENTERPRISES, STANDARD_ADDRESSES, ADDRESS_BLACKLIST, DISHONEST_PERSONS):
        import_rows(kind, demo[kind])
    return demo


def subject(**overrides: object) -> Subject:
    values: dict[str, object] = {
        "company_name": "深圳市云帆科技有限公司",
        "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
    }
    values.update(overrides)
    return Subject(**values)  # type: ignore[arg-type]
