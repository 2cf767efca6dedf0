"""Dishonest-person library (失信人员名单库).

A person on the courts' published list of dishonest judgment debtors is not rejected: the
application goes to manual review (``dishonest_person``, review), one finding per listed case.
The list is matched on the ID number in canonical form, so a lowercase check character x in the
application matches the uppercase X on the list.
"""

from __future__ import annotations

from rules import selectors
from rules.engine import Evaluation, Hit, LibraryKind, Ports, Subject, register
from rules.identifiers import canonical_id_number
from rules.kinds.base import ROLE_LABELS, PublishedLists, no_structure
from rules.lists import DISHONEST_PERSONS
from rules.privacy import mask_id_number


@register("dishonest")
class DishonestLibrary(LibraryKind):
    def __init__(self) -> None:
        self.lists: PublishedLists[None] = PublishedLists((DISHONEST_PERSONS,), no_structure)

    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        published, _ = self.lists.current()
        versions = self.lists.version_numbers(published)
        version = published.get(DISHONEST_PERSONS)
        roles_by_id: dict[str, list[str]] = {}
        for person in subject.persons:
            id_number = canonical_id_number(person.id_number)
            if id_number and person.role not in roles_by_id.setdefault(id_number, []):
                roles_by_id[id_number].append(person.role)
        if version is None or not roles_by_id:
            return Evaluation(hits=(), versions=versions)

        hits = []
        for entry in selectors.entries_by_keys(version_id=version.id, keys=list(roles_by_id)):
            roles = roles_by_id[entry.key]
            zh = "、".join(ROLE_LABELS.get(r, (r, r))[0] for r in roles)
            en = ", ".join(ROLE_LABELS.get(r, (r, r))[1] for r in roles)
            data = entry.data
            hits.append(
                Hit(
                    rule="dishonest_person",
                    outcome="review",
                    message=(
                        f"{zh}{data['name']}列入失信被执行人名单（{data['court']} {data['case_number']}），转人工审核。"
                    ),
                    message_en=(
                        f"The {en} {data['name']} is on the list of dishonest judgment debtors "
                        f"({data['court']}, case {data['case_number']}); the application goes to manual review."
                    ),
                    evidence={
                        "roles": roles,
                        "name": data["name"],
                        "id_number": mask_id_number(entry.key),
                        "court": data["court"],
                        "case_number": data["case_number"],
                        "published_on": data.get("published_on") or None,
                        "entry_line": entry.line,
                    },
                )
            )
        return Evaluation(hits=tuple(hits), versions=versions)
