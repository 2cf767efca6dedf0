"""Impact preview: recent real applications re-run against a draft before it is published."""

from __future__ import annotations

from dataclasses import dataclass, field

from rules import engine
from rules.engine import Ports
from rules.jurisdictions import NATIONAL
from rules.models import ListVersion


@dataclass(frozen=True)
class ImpactChange:
    reference: str
    library: str
    recorded: str | None  # the application's recorded overall outcome
    before: str
    after: str
    rules_before: tuple[str, ...]
    rules_after: tuple[str, ...]


@dataclass(frozen=True)
class ImpactReport:
    examined: int
    changes: list[ImpactChange] = field(default_factory=list)
    errors: int = 0


def impact_preview(*, kind: str, number: int, limit: int = 50, scope: str = NATIONAL) -> ImpactReport:
    """Re-run the last ``limit`` real applications against version ``number`` of the ``scope``
    layer of ``kind`` and list every library outcome that would change compared with the
    versions in effect. Only applications within ``scope`` are examined: the layer reaches no
    other."""
    from rules.ports import recent_subjects

    version = ListVersion.objects.get(kind=kind, scope=scope, number=number)
    libraries = engine.libraries_using(kind)
    changes: list[ImpactChange] = []
    examined = errors = 0
    for reference, subject, recorded in recent_subjects(limit):
        if scope != NATIONAL and scope not in engine.jurisdiction_of(subject).scopes:
            continue
        examined += 1
        for library in libraries:
            try:
                before = engine.check_library(library, subject, ports=Ports())
                after = engine.check_library(library, subject, ports=Ports(), overrides={kind: version.pk})
            except Exception:
                errors += 1
                continue
            if before.outcome != after.outcome:
                changes.append(
                    ImpactChange(
                        reference=reference,
                        library=library,
                        recorded=recorded,
                        before=before.outcome,
                        after=after.outcome,
                        rules_before=tuple(f.rule for f in before.findings),
                        rules_after=tuple(f.rule for f in after.findings),
                    )
                )
    return ImpactReport(examined=examined, changes=changes, errors=errors)
