"""The declared state machine: one table of allowed transitions per lifecycle, enforced in one place.

Applications, checks and work items share the mechanism (`Lifecycle`), so there is a single
answer to "may this row move from A to B?" and a single place that refuses an illegal move.
Compare Open Forms' registration statuses: every status change goes through one gate.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import models


class IllegalTransition(Exception):
    """A status change the lifecycle does not allow: a bug or a race the caller must handle."""


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已提交"
    AWAITING_VERIFICATION = "awaiting_verification", "等待实名核验"
    CHECKING = "checking", "自动审查中"
    MANUAL_REVIEW = "manual_review", "人工审批中"
    REJECTED = "rejected", "未通过"
    RETURNED = "returned", "退回修改"
    LAPSED = "lapsed", "已过期"
    DISPATCHING = "dispatching", "并联办理中"
    COMPLETED = "completed", "已办结"
    INCOMPLETE = "incomplete", "部分部门办理失败"


class CheckStatus(models.TextChoices):
    PENDING = "pending", "待审查"
    RUNNING = "running", "审查中"
    DONE = "done", "已完成"
    ERROR = "error", "出错"


class WorkItemStatus(models.TextChoices):
    PENDING = "pending", "待办理"
    IN_PROGRESS = "in_progress", "办理中"
    DONE = "done", "已办结"
    FAILED = "failed", "失败"


@dataclass(frozen=True)
class Lifecycle:
    """Allowed transitions of one kind of row; terminal states allow none unless listed."""

    name: str
    transitions: Mapping[str, frozenset[str]]
    initial: str
    terminal: frozenset[str] = field(default_factory=frozenset)

    def allows(self, source: str, target: str) -> bool:
        return target in self.transitions.get(source, frozenset())

    def require(self, source: str, target: str) -> None:
        if not self.allows(source, target):
            raise IllegalTransition(f"{self.name}: {source} → {target} is not an allowed transition")

    def sources_of(self, target: str) -> frozenset[str]:
        """Every state that may move to `target` (the WHERE clause of a conditional update)."""
        return frozenset(source for source, targets in self.transitions.items() if target in targets)

    def states(self) -> frozenset[str]:
        return frozenset(self.transitions) | {t for targets in self.transitions.values() for t in targets}


def _table(rows: Iterable[tuple[str, Iterable[str]]]) -> dict[str, frozenset[str]]:
    return {source: frozenset(targets) for source, targets in rows}


A = ApplicationStatus
APPLICATION = Lifecycle(
    name="application",
    initial=A.SUBMITTED,
    transitions=_table(
        [
            (A.SUBMITTED, [A.AWAITING_VERIFICATION, A.CHECKING]),
            (A.AWAITING_VERIFICATION, [A.CHECKING, A.LAPSED]),
            (A.CHECKING, [A.MANUAL_REVIEW, A.REJECTED, A.DISPATCHING]),
            (A.MANUAL_REVIEW, [A.DISPATCHING, A.REJECTED, A.RETURNED]),
            (A.DISPATCHING, [A.COMPLETED, A.INCOMPLETE]),
            # An operator resends the failed department: the application dispatches again.
            (A.INCOMPLETE, [A.DISPATCHING]),
        ]
    ),
    terminal=frozenset({A.REJECTED, A.RETURNED, A.LAPSED, A.COMPLETED}),
)

C = CheckStatus
CHECK = Lifecycle(
    name="check",
    initial=C.PENDING,
    transitions=_table(
        [
            # pending → error: the delivery limit was reached before the check could run.
            (C.PENDING, [C.RUNNING, C.ERROR]),
            # running → pending: a retry is scheduled (or the sweeper re-drives a lost worker).
            (C.RUNNING, [C.DONE, C.PENDING, C.ERROR]),
        ]
    ),
    terminal=frozenset({C.DONE, C.ERROR}),
)

W = WorkItemStatus
WORK_ITEM = Lifecycle(
    name="work_item",
    initial=W.PENDING,
    transitions=_table(
        [
            # pending → failed: its upstream department failed, or the delivery limit was reached.
            (W.PENDING, [W.IN_PROGRESS, W.FAILED]),
            (W.IN_PROGRESS, [W.DONE, W.FAILED, W.PENDING]),
            # failed → pending: an operator's resend, with the same idempotency key.
            (W.FAILED, [W.PENDING]),
        ]
    ),
    terminal=frozenset({W.DONE, W.FAILED}),
)
