"""Dishonest-person library (失信人员名单库).

A person on the courts' published list of dishonest judgment debtors is not rejected: the
application goes to manual review (``dishonest_person``, review), one finding per listed case,
naming the court, the case number and the date of publication.

The list stores no ID numbers, only their blind index (rules.privacy.blind_index), and the check
computes the blind index of each person's ID number in canonical form, so a lowercase check
character x in the application matches the uppercase X on the list. A new version that drops
an entry takes effect for the next check, like any publication.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from rules import selectors
from rules.engine import EntryRef, Evaluation, Hit, LibraryKind, Ports, Subject, register
from rules.kinds.base import ROLE_LABELS, PublishedLists
from rules.lists import DISHONEST_PERSONS
from rules.privacy import blind_index

BASIS = "《最高人民法院关于公布失信被执行人名单信息的若干规定》"


@register("dishonest", verbose_name=_("失信人员名单库"))
class DishonestLibrary(LibraryKind):
    list_kinds = (DISHONEST_PERSONS,)

    def __init__(self) -> None:
        self.lists: PublishedLists[None] = PublishedLists(self.list_kinds)

    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        layers = self.lists.layers()
        versions = self.lists.version_numbers(layers)
        by_id = {v.id: v for v in layers[DISHONEST_PERSONS]}
        roles_by_index: dict[str, list[str]] = {}
        if not by_id:
            return Evaluation(hits=(), versions=versions)
        for person in subject.persons:
            index = person.id_index or blind_index(person.id_number)
            if index and person.role not in roles_by_index.setdefault(index, []):
                roles_by_index[index].append(person.role)
        if not roles_by_index:
            return Evaluation(hits=(), versions=versions)

        hits = []
        for version_id, entry in selectors.entries_by_keys_layered(version_ids=list(by_id), keys=list(roles_by_index)):
            version = by_id[version_id]
            roles = roles_by_index[entry.key]
            zh = "、".join(ROLE_LABELS.get(r, (r, r))[0] for r in roles)
            en = ", ".join(ROLE_LABELS.get(r, (r, r))[1] for r in roles)
            data = entry.data
            published_on = data.get("published_on") or None
            when_zh = f"，{published_on}公布" if published_on else ""
            when_en = f", published {published_on}" if published_on else ""
            hits.append(
                Hit(
                    rule="dishonest_person",
                    outcome="review",
                    message=(
                        f"{zh}{data['name']}列入失信被执行人名单（{data['court']} {data['case_number']}{when_zh}），"
                        f"转人工审核。依据：{BASIS}。"
                    ),
                    message_en=(
                        f"The {en} {data['name']} is on the list of dishonest judgment debtors "
                        f"({data['court']}, case {data['case_number']}{when_en}); the application goes to manual "
                        f"review. Legal basis: {BASIS}."
                    ),
                    evidence={
                        "roles": roles,
                        "name": data["name"],
                        "id_number": data["id_number"],  # masked at import
                        "court": data["court"],
                        "case_number": data["case_number"],
                        "published_on": published_on,
                        "entry_line": entry.line,
                    },
                    entry=EntryRef(
                        list=DISHONEST_PERSONS,
                        version=version.number,
                        line=entry.line,
                        id=entry.ref,
                        scope=version.scope,
                    ),
                )
            )
        return Evaluation(hits=tuple(hits), versions=versions)
