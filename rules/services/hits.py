"""Hit counts: how often each rule and list entry fired on real applications."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import connection
from django.utils import timezone

from rules import engine


def hits_record(findings: list[engine.Finding]) -> None:
    """Count each finding once for today, per (library, rule, list, entry)."""
    if not findings:
        return
    today = timezone.localdate()
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for finding in findings:
        entry = finding.entry
        counts[(finding.library, finding.rule, entry.list if entry else "", entry.id[:255] if entry else "")] += 1
    from rules.models import HitCount

    table = HitCount._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(counts))
    params: list[Any] = []
    day = connection.ops.adapt_datefield_value(today)
    for (library, rule, list_kind, entry), n in counts.items():
        params += [day, library, rule, list_kind, entry, n]
    sql = (
        f"INSERT INTO {table} (day, library, rule, list_kind, entry, count) VALUES {values} "
        "ON CONFLICT (day, library, rule, list_kind, entry) DO UPDATE SET count = "
        f"{table}.count + excluded.count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
