"""The API's application status document (CONTRACT §5), read with a handful of plain statements.

`ApplicationOutputSerializer(application_with_progress(...)).data` is the reference: this module
returns the same document, key for key and value for value. It exists because status reads are
the API's busiest request, and building the document through the ORM and DRF costs several
times the four reads behind it: Django compiles every query anew (about 1 ms each) and DRF walks
its fields one by one. Here the statements are written once per database vendor, the caller's
scope is the only part compiled per call, and the rows become the document directly.

The values still go through Django's own machinery where the backends differ: the converters
the SQL compiler applies to each column (SQLite returns UUIDs as hex and datetimes as text,
psycopg returns jsonb as text), `get_db_prep_value` for parameters, and a DRF `DateTimeField`
for datetimes, so that the two paths cannot drift apart on types or time zones.

The rare parts (who still has to verify, whom an agent filed for) keep using the identity
selectors: they concern applications whose presence a trusted channel did not attest.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.utils import CursorWrapper
from django.db.models import Field, QuerySet
from django.db.models.base import DEFERRED
from django.db.models.expressions import Col
from rest_framework import serializers

from applications.models import Application, Check, WorkItem
from exchange.models import ExchangeRecord
from exchange.selectors import data_shared_entry, data_shared_labels
from identity.models import PresenceStage
from identity.selectors import agent_principals, verification_summary, verifications_for_application
from licences.selectors import licence_reference_from_work_items
from workflow.resend import work_item_failure_kind

# The serializer's datetime field, unbound: it reads the output format and the current time zone
# on every call, as the serializer's own fields do, so one instance serves every document.
_DATETIME = serializers.DateTimeField()

# Child rows are read with the applications' ids as parameters; SQLite refuses statements with
# more than a few thousand of them, and a long IN list helps no planner.
_IDS_PER_STATEMENT = 500

# The application's columns the document shows, by field name, in the order `_document` unpacks
# them. Their values also rebuild a (partly deferred) Application for the identity selectors.
_APPLICATION_FIELDS = (
    "id",
    "status",
    "outcome",
    "credit_code",
    "company_name",
    "address",
    "business_scope",
    "registered_capital",
    "employees",
    "created_at",
    "decided_at",
    "completed_at",
    "corrects",
)
_PRESENCE_FIELDS = ("application", "attested_by", "agent")
_CHECK_FIELDS = ("application", "library", "status", "outcome", "versions", "findings")
_WORK_ITEM_FIELDS = ("application", "department", "status", "result", "error", "attempts", "started_at", "finished_at")
_EXCHANGE_FIELDS = ("application_id", "department", "endpoint", "fields", "created_at", "outcome")


class _WorkItemRow(NamedTuple):
    # Named, because the licence is read from these rows (licences.selectors.IssuingFacts).
    department: str
    status: str
    result: Any
    error: str
    attempts: int
    started_at: Any
    finished_at: Any


Converter = Callable[[Any, Col, BaseDatabaseWrapper], Any]


@dataclass(frozen=True)
class _Statement:
    """One hand-written SELECT and, per column, the converters Django's compiler would apply."""

    sql: str
    converters: tuple[tuple[int, tuple[Converter, ...], Col], ...]
    # The field of the first column, when it is the application id the rows are read by.
    key: Field | None = None

    def rows(self, cursor: CursorWrapper, sql: str, params: Sequence[object]) -> list[list[Any]]:
        cursor.execute(sql, params)
        rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for index, converters, col in self.converters:
                value = row[index]
                for converter in converters:
                    value = converter(value, col, connection)
                row[index] = value
        return rows


@dataclass(frozen=True)
class _Plan:
    applications: _Statement
    checks: _Statement
    work_items: _Statement
    exchanges: _Statement


# One plan per database vendor: the SQL text and the converters depend on the backend only.
_PLANS: dict[str, _Plan] = {}


def _plan() -> _Plan:
    plan = _PLANS.get(connection.vendor)
    if plan is None:
        plan = _PLANS[connection.vendor] = _plan_build(connection)
    return plan


def _plan_build(db: BaseDatabaseWrapper) -> _Plan:
    quote = db.ops.quote_name
    application_columns = [(Application, "a", name) for name in _APPLICATION_FIELDS]
    application_columns += [(PresenceStage, "p", name) for name in _PRESENCE_FIELDS]
    ordering = ", ".join(
        f"a.{quote(Application._meta.get_field(name.lstrip('-')).column)}{' DESC' if name.startswith('-') else ''}"
        for name in Application._meta.ordering
    )
    applications = _statement(
        db,
        application_columns,
        f" FROM {quote(Application._meta.db_table)} a"
        f" LEFT JOIN {quote(PresenceStage._meta.db_table)} p"
        f" ON p.{quote(PresenceStage._meta.pk.column)} = a.{quote(Application._meta.pk.column)}"
        f" WHERE a.{quote(Application._meta.pk.column)} IN ({{scope}})"
        # The list answers in the order the ORM's default ordering gives (newest first).
        f" ORDER BY {ordering}",
    )
    return _Plan(
        applications=applications,
        # The orders are the models' own (Meta.ordering, as the prefetches use), with the id
        # after it so that equal positions come out the same way on every read.
        checks=_children(db, Check, _CHECK_FIELDS, order_by=("position", "id")),
        work_items=_children(db, WorkItem, _WORK_ITEM_FIELDS, order_by=("position", "id")),
        # The order data_shared_with_departments reads them in.
        exchanges=_children(db, ExchangeRecord, _EXCHANGE_FIELDS, order_by=("created_at", "id")),
    )


def _children(db: BaseDatabaseWrapper, model: type, names: Sequence[str], *, order_by: Sequence[str]) -> _Statement:
    """The rows of `model` belonging to some applications: the first name is the application column."""
    quote = db.ops.quote_name
    application_column = quote(model._meta.get_field(names[0]).column)
    order = ", ".join(f"t.{quote(model._meta.get_field(name).column)}" for name in order_by)
    statement = _statement(
        db,
        [(model, "t", name) for name in names],
        f" FROM {quote(model._meta.db_table)} t WHERE t.{application_column} IN ({{ids}}) ORDER BY {order}",
    )
    return replace(statement, key=model._meta.get_field(names[0]))


def _statement(db: BaseDatabaseWrapper, columns: Sequence[tuple[type, str, str]], rest: str) -> _Statement:
    selected = []
    converters = []
    for index, (model, alias, name) in enumerate(columns):
        field = model._meta.get_field(name)
        selected.append(f"{alias}.{db.ops.quote_name(field.column)}")
        col = field.get_col(alias)
        # Exactly what SQLCompiler.get_converters() collects for this column.
        found = tuple(db.ops.get_db_converters(col) + col.get_db_converters(db))
        if found:
            converters.append((index, found, col))
    return _Statement(sql="SELECT " + ", ".join(selected) + rest, converters=tuple(converters))


def application_documents(
    *, queryset: QuerySet[Application], application_ids: Iterable[object] | None = None, limit: int | None = None
) -> list[dict]:
    """The status documents of the applications in `queryset` (the caller's scope), newest first.

    `application_ids` narrows them to those ids (ids outside the scope are simply absent);
    `limit` keeps the first `limit` in the queryset's order, as slicing it would.
    Each document equals `ApplicationOutputSerializer(application).data`.
    """
    scope = queryset if application_ids is None else queryset.filter(pk__in=list(application_ids))
    scope = scope.values("pk")
    # With a limit the scope keeps its ordering, so the database reads the newest rows from an
    # index instead of every row of the client; without one the ordering is only cost.
    scope = scope[:limit] if limit is not None else scope.order_by()
    try:
        scope_sql, scope_params = scope.query.sql_with_params()
    except EmptyResultSet:
        return []  # no ids, a limit of 0, or .none(): nothing to read
    plan = _plan()
    with connection.cursor() as cursor:
        applications = plan.applications.rows(cursor, plan.applications.sql.format(scope=scope_sql), scope_params)
        if not applications:
            return []
        ids = [row[0] for row in applications]
        checks = _child_rows(cursor, plan.checks, ids)
        work_items = _child_rows(cursor, plan.work_items, ids)
        exchanges = _child_rows(cursor, plan.exchanges, ids)
    labels = data_shared_labels()
    return [
        _document(row, checks.get(row[0], ()), work_items.get(row[0], ()), exchanges.get(row[0], ()), labels)
        for row in applications
    ]


def application_document(*, queryset: QuerySet[Application], application_id: object) -> dict | None:
    """One application's status document, or None when the caller may not see it."""
    documents = application_documents(queryset=queryset, application_ids=[application_id])
    return documents[0] if documents else None


def _child_rows(cursor: CursorWrapper, statement: _Statement, ids: list[object]) -> dict[object, list[list[Any]]]:
    """The statement's rows grouped by application id (its first column), in the statement's order."""
    prep = statement.key.get_db_prep_value
    grouped: dict[object, list[list[Any]]] = {}
    for start in range(0, len(ids), _IDS_PER_STATEMENT):
        chunk = [prep(value, connection) for value in ids[start : start + _IDS_PER_STATEMENT]]
        sql = statement.sql.format(ids=", ".join(["%s"] * len(chunk)))
        for row in statement.rows(cursor, sql, chunk):
            grouped.setdefault(row[0], []).append(row)
    return grouped


def _document(
    row: list[Any],
    checks: Iterable[list[Any]],
    work_items: Iterable[list[Any]],
    exchanges: Iterable[list[Any]],
    labels: Mapping[str, str],
) -> dict:
    (
        application_id,
        status,
        outcome,
        credit_code,
        company_name,
        address,
        business_scope,
        registered_capital,
        employees,
        created_at,
        decided_at,
        completed_at,
        corrects_id,
        presence_id,
        attested_by_id,
        agent_id,
    ) = row
    items = [_WorkItemRow(*item[1:]) for item in work_items]
    datetime_repr = _DATETIME.to_representation
    return {
        "id": str(application_id),
        "reference": application_id.hex[:10].upper(),
        "status": status,
        "outcome": outcome,
        "credit_code": credit_code,
        "licence": licence_reference_from_work_items(items),
        "company": {
            "name": company_name,
            "address": address,
            "business_scope": business_scope,
            "registered_capital": f"{registered_capital:.2f}",
            "employees": employees,
        },
        "created_at": datetime_repr(created_at),
        "decided_at": datetime_repr(decided_at),
        "completed_at": datetime_repr(completed_at),
        "corrects": None if corrects_id is None else str(corrects_id),
        "checks": [
            {
                "library": library,
                "status": check_status,
                "outcome": check_outcome,
                "versions": versions,
                "findings": found,
            }
            for _, library, check_status, check_outcome, versions, found in checks
        ],
        "departments": [
            {
                "department": item.department,
                "status": item.status,
                "result": _shown_result(item.result),
                "error": item.error,
                "failure": work_item_failure_kind(status=item.status, error=item.error),
                "attempts": item.attempts,
                "started_at": datetime_repr(item.started_at),
                "finished_at": datetime_repr(item.finished_at),
            }
            for item in items
        ],
        "data_shared": [
            data_shared_entry(
                department=department,
                endpoint=endpoint,
                fields=fields,
                created_at=at,
                outcome=exchange_outcome,
                labels=labels,
            )
            for _, department, endpoint, fields, at, exchange_outcome in exchanges
        ],
        # A trusted channel attested presence: nobody had to verify (the serializer's rule; an
        # application without a presence stage predates it and lists its verifications).
        "verifications": []
        if presence_id is not None and attested_by_id is not None
        else [verification_summary(v) for v in verifications_for_application(application=_application(row))],
        "filed_for": None if presence_id is None or agent_id is None else _filed_for(row, agent_id),
    }


def _shown_result(result: Any) -> Any:
    # As WorkItemOutputSerializer: the licence's signed token is the application's
    # `licence.verify_url`; a department line shows what the department decided.
    if isinstance(result, dict) and "licence_token" in result:
        return {key: value for key, value in result.items() if key != "licence_token"}
    return result


def _application(row: list[Any]) -> Application:
    """The application of a row, for the identity selectors; the columns not read are deferred
    (loaded on access), so a selector reading more of it still sees the stored values."""
    names = [Application._meta.get_field(name).attname for name in _APPLICATION_FIELDS]
    loaded = dict(zip(names, row[: len(names)], strict=True))
    values = [loaded.get(field.attname, DEFERRED) for field in Application._meta.concrete_fields]
    return Application.from_db(connection.alias, names, values)


def _filed_for(row: list[Any], agent_id: object) -> dict:
    # As ApplicationOutputSerializer.get_filed_for: the agent's organisation, or its login name
    # when it has no agent account.
    user_model = PresenceStage._meta.get_field("agent").related_model
    agent = user_model._base_manager.select_related("agent_account").get(pk=agent_id)
    account = getattr(agent, "agent_account", None)
    return {
        "agent": account.organisation if account else agent.get_username(),
        "principals": agent_principals(application=_application(row)),
    }
