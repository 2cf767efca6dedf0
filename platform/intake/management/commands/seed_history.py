"""Seeds past applications in bulk, so that benchmarks and EXPLAIN run against a real history.

    python manage.py seed_history --count 1000000

Writes finished applications with their persons, checks, work items and exchange records
straight into the tables (PostgreSQL COPY, SQLite executemany), in one pass, without replaying
the pipeline. The rows are shaped like real ones: encrypted ID and phone numbers with blind
indexes, valid credit codes, findings and results, timestamps spread over the past year.
"""

import json
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils import timezone
from stdnum.cn import ric, uscc

from applications.models import Application, Check, Person, WorkItem
from exchange.models import ExchangeRecord
from privacy.fields import BlindIndexField, EncryptedTextField
from rules import engine

# A few thousand distinct people, cycled: encrypting a fresh identity per row would make the
# seeding cost minutes of Fernet work without changing what the indexes see.
DISTINCT_PEOPLE = 2000
ALREADY_STORED_FORM = (EncryptedTextField, BlindIndexField)
TRADE_WORDS = "云帆星河青禾远峰澄明知行拓新朗润嘉树鸿羽润川卓越"


def _people(rng: random.Random) -> list[dict[str, str]]:
    people = []
    while len(people) < DISTINCT_PEOPLE:
        prefix = (
            f"440305{rng.randint(1960, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        )
        people.append(
            {
                "name": rng.choice("张王李赵陈刘杨黄周吴") + rng.choice("伟芳娜敏静丽强磊军洋"),
                "id_number": prefix + ric.calc_check_digit(prefix + "0"),
                "phone": f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}",
            }
        )
    return people


def _credit_code(serial: int) -> str:
    body = f"91440300{serial:09d}"[:17]
    return body + uscc.calc_check_digit(body)


class Command(BaseCommand):
    help = "Writes COUNT finished past applications in bulk (for benchmarks and EXPLAIN at scale)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=1_000_000)
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: object, count: int, batch: int, seed: int, **options: object) -> None:
        if count <= 0 or batch <= 0:
            raise CommandError("--count and --batch must be positive")
        rng = random.Random(seed)
        people = self._encrypted_people(rng)
        serial_base = Application.objects.count() + 10_000_000
        started = time.monotonic()
        written = 0
        while written < count:
            size = min(batch, count - written)
            rows = self._batch(rng=rng, people=people, serial_base=serial_base + written, size=size)
            with transaction.atomic():
                if connection.vendor == "postgresql":
                    # A batch of 20,000 applications is ~380,000 rows: longer than the per-statement
                    # timeout meant for requests and tasks, and this is neither.
                    with connection.cursor() as cursor:
                        cursor.execute("SET LOCAL statement_timeout = 0")
                for model, model_rows in rows.items():
                    _bulk_write(model, model_rows)
            written += size
            rate = written / max(time.monotonic() - started, 1e-9)
            self.stdout.write(f"\r{written:,}/{count:,} applications ({rate:,.0f}/s)", ending="")
            self.stdout.flush()
        self.stdout.write("")
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"seeded {written:,} applications in {time.monotonic() - started:.1f} s")

    def _encrypted_people(self, rng: random.Random) -> list[dict[str, Any]]:
        """Each person's stored column values, encrypted and indexed once by the model's fields."""
        encrypted = []
        id_field = Person._meta.get_field("id_number")
        phone_field = Person._meta.get_field("phone")
        index_field = Person._meta.get_field("id_number_index")
        for person in _people(rng):
            row = Person(name=person["name"], id_number=person["id_number"], phone=person["phone"])
            encrypted.append(
                {
                    "name": person["name"],
                    "id_number": id_field.get_db_prep_save(row.id_number, connection),
                    "phone": phone_field.get_db_prep_save(row.phone, connection),
                    "id_number_index": index_field.pre_save(row, add=True),
                }
            )
        return encrypted

    def _batch(
        self, *, rng: random.Random, people: list[dict[str, Any]], serial_base: int, size: int
    ) -> dict[type[models.Model], list[dict[str, Any]]]:
        now = timezone.now()
        libraries = engine.library_codes()
        rows: dict[type[models.Model], list[dict[str, Any]]] = {
            Application: [],
            Person: [],
            Check: [],
            WorkItem: [],
            ExchangeRecord: [],
        }
        for offset in range(size):
            application_id = uuid.uuid4()
            created = now - timedelta(days=365 * rng.random() + 1)
            done = created + timedelta(seconds=1 + 2 * rng.random())
            trade = "".join(rng.choice(TRADE_WORDS) for _ in range(3))
            legal, shareholder = rng.choice(people), rng.choice(people)
            credit_code = _credit_code(serial_base + offset)
            rows[Application].append(
                {
                    "id": application_id,
                    "status": "completed",
                    "outcome": "approve",
                    "auto_outcome": "approve",
                    "company_name": f"深圳市{trade}{serial_base + offset}科技有限公司",
                    "address": "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
                    "business_scope": "软件开发；信息技术咨询服务",
                    "registered_capital": Decimal("1000000.00"),
                    "employees": rng.randint(1, 50),
                    "credit_code": credit_code,
                    "request_fingerprint": "",
                    "created_at": created,
                    "updated_at": done,
                    "decided_at": created + timedelta(milliseconds=300),
                    "completed_at": done,
                }
            )
            for role, position, person, contribution in (
                ("legal_representative", 0, legal, None),
                ("shareholder", 0, shareholder, Decimal("1000000.00")),
            ):
                rows[Person].append(
                    {"application_id": application_id, "role": role, "position": position, **person}
                    | {"contribution": contribution}
                )
            for position, library in enumerate(libraries):
                rows[Check].append(
                    {
                        "application_id": application_id,
                        "library": library,
                        "position": position,
                        "status": "done",
                        "outcome": "pass",
                        "findings": [],
                        "versions": {},
                        "attempts": 1,
                        "error": "",
                        "updated_at": created,
                        "finished_at": created,
                    }
                )
            for position, department in enumerate(settings.DEPARTMENT_CODES):
                rows[WorkItem].append(
                    {
                        "application_id": application_id,
                        "department": department,
                        "position": position,
                        "status": "done",
                        "idempotency_key": f"{application_id}:{department}",
                        "result": {"credit_code": credit_code} if department == "market_regulation" else {},
                        "error": "",
                        "attempts": 1,
                        "updated_at": done,
                        "started_at": created,
                        "finished_at": done,
                    }
                )
                rows[ExchangeRecord].append(
                    {
                        "application_id": application_id,
                        "department": department,
                        "endpoint": "requests/",
                        "fields": ["company.name"],
                        "status_code": 201,
                        "outcome": "ok",
                        "duration_ms": 50,
                        "error": "",
                        "created_at": done,
                    }
                )
        return rows


def _converter(field: models.Field) -> Callable[[Any], Any]:
    """How a Python value is written to this column: chosen once per field, since Django's
    per-value preparation would cost more than the database write itself."""
    if field.is_relation:
        field = field.target_field
    if isinstance(field, ALREADY_STORED_FORM):
        return _unchanged  # encrypted and indexed once, up front
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, ensure_ascii=False)
    if connection.vendor == "sqlite":
        if isinstance(field, models.UUIDField):
            return lambda value: value.hex if value else None
        if isinstance(field, models.DateTimeField):
            return lambda value: value.astimezone(UTC).replace(tzinfo=None).isoformat(" ") if value else None
        if isinstance(field, models.DecimalField):
            return lambda value: None if value is None else str(value)
    return _unchanged


def _unchanged(value: Any) -> Any:
    return value


def _bulk_write(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0] or not f.primary_key]
    columns = ", ".join(f.column for f in fields)
    # Columns a row leaves out take the field's default (a new nullable column stays NULL).
    converters = [(f.attname, None if f.null else f.get_default(), _converter(f)) for f in fields]
    records = [tuple(convert(row.get(name, default)) for name, default, convert in converters) for row in rows]
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for record in records:
                    copy.write_row(record)
        else:
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", records)
