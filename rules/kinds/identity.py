"""Real-name identity library (实名核身): the ID numbers and the citizen registry.

For the legal representative, the handler and every shareholder with an ID number:

* ``id_missing`` (reject): the legal representative or the handler gave no ID number;
* ``id_invalid`` (reject): the number fails GB 11643 (length, check digit, birth date, region);
* ``registry_not_found`` / ``registry_name_mismatch`` / ``registry_status`` (reject): the
  public-security registry, reached through the injected ``Ports.citizens``, does not know the
  number, knows it under another name, or marks it revoked or deceased.

The registry belongs to another department, so this library never queries it directly. When no
port is injected or the port cannot reach the registry, the check raises LookupUnavailable for
the pipeline to retry: an identity check never passes by default.

Proof of presence (carrier check, SMS code, face) is carried out by the platform's identity app
before the checks start; the Subject carries its outcome (``Subject.presence``), and:

* ``presence_failed`` (reject): a principal's carrier check, one-time code or face comparison
  failed for good; the finding names the proof (evidence ``proof``);
* ``presence_face_review`` (review): a face distance near the threshold, for a reviewer to
  compare the two pictures;
* ``presence_verified`` / ``presence_attested`` (pass): every principal verified, or a trusted
  channel attested presence, naming the channel.

Without ``Subject.presence`` (the dry run of CONTRACT §3) presence is not checked. Every
registry finding carries ``proof: "registry"``.

One person may fill several roles (the handler defaults to the legal representative); such a
person is verified once and reported once, with all their roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from rules.engine import (
    ROLE_HANDLER,
    ROLE_LEGAL_REPRESENTATIVE,
    Evaluation,
    Hit,
    LibraryKind,
    LookupUnavailable,
    PersonFacts,
    Ports,
    PresenceFacts,
    Subject,
    register,
)
from rules.identifiers import IdentifierInvalid, canonical_id_number, validate_id_number
from rules.kinds.base import ROLE_LABELS
from rules.privacy import mask_id_number

_STATUS_LABELS = {"revoked": ("已注销", "revoked"), "deceased": ("已死亡", "deceased")}
_MUST_HAVE_ID = (ROLE_LEGAL_REPRESENTATIVE, ROLE_HANDLER)


@dataclass
class _Person:
    name: str
    id_number: str  # canonical (uppercase) form
    roles: list[str]

    def labels(self) -> tuple[str, str]:
        zh = "、".join(ROLE_LABELS.get(r, (r, r))[0] for r in self.roles)
        en = ", ".join(ROLE_LABELS.get(r, (r, r))[1] for r in self.roles)
        return zh, en

    def evidence(self) -> dict[str, object]:
        return {
            "roles": list(self.roles),
            "name": self.name,
            "id_number": mask_id_number(self.id_number),
            "proof": "registry",
        }


def _people(persons: tuple[PersonFacts, ...]) -> tuple[list[_Person], list[PersonFacts]]:
    """Group the persons by (ID, name); also return those who must but did not give an ID."""
    grouped: dict[tuple[str, str], _Person] = {}
    missing: list[PersonFacts] = []
    for person in persons:
        id_number = canonical_id_number(person.id_number)
        if not id_number:
            if person.role in _MUST_HAVE_ID:
                missing.append(person)
            continue
        key = (id_number, person.name.strip())
        if key in grouped:
            if person.role not in grouped[key].roles:
                grouped[key].roles.append(person.role)
        else:
            grouped[key] = _Person(name=person.name.strip(), id_number=id_number, roles=[person.role])
    return list(grouped.values()), missing


@register("identity", verbose_name=_("实名核身"))
class IdentityLibrary(LibraryKind):
    def evaluate(self, subject: Subject, *, ports: Ports) -> Evaluation:
        hits: list[Hit] = []
        people, missing = _people(subject.persons)
        for person in missing:
            zh, en = ROLE_LABELS.get(person.role, (person.role, person.role))
            hits.append(
                Hit(
                    rule="id_missing",
                    outcome="reject",
                    message=f"{zh}{person.name}未填写身份证号码。",
                    message_en=f"The {en} {person.name} gave no ID number.",
                    evidence={"roles": [person.role], "name": person.name},
                )
            )

        to_verify: list[_Person] = []
        for person in people:
            try:
                validate_id_number(person.id_number)
            except IdentifierInvalid as exc:
                zh, en = person.labels()
                hits.append(
                    Hit(
                        rule="id_invalid",
                        outcome="reject",
                        message=f"{zh}{person.name}的{exc.reason_zh}，请核对。",
                        message_en=f"The {en} {person.name}: {exc.reason_en}. Please check it.",
                        evidence={**person.evidence(), "problem": exc.problem},
                    )
                )
            else:
                to_verify.append(person)

        if to_verify:
            citizens = ports.citizens
            if citizens is None:
                raise LookupUnavailable("no citizen registry port is configured; the identity check cannot run")
            for person in to_verify:
                try:
                    verification = citizens.verify(id_number=person.id_number, name=person.name)
                except LookupUnavailable:
                    # Re-raised with our own message: the port's text might quote the ID number.
                    raise LookupUnavailable("the citizen registry is unavailable; retry the identity check") from None
                hit = _registry_hit(person, verification.found, verification.name_matches, verification.status)
                if hit is not None:
                    hits.append(hit)
        if subject.presence is not None:
            hits.extend(_presence_hits(subject.presence))
        return Evaluation(hits=tuple(hits), versions={})


_PROOF_LABELS = {
    "carrier": ("手机号实名核验", "the carrier check of the phone number"),
    "code": ("短信验证码核验", "the SMS one-time code"),
    "face": ("人脸比对", "the face comparison"),
}


def _presence_labels(roles: tuple[str, ...]) -> tuple[str, str]:
    zh = "、".join(ROLE_LABELS.get(r, (r, r))[0] for r in roles)
    en = ", ".join(ROLE_LABELS.get(r, (r, r))[1] for r in roles)
    return zh, en


def _presence_hits(presence: PresenceFacts) -> list[Hit]:
    if presence.attested_by:
        return [
            Hit(
                rule="presence_attested",
                outcome="pass",
                message=f"本人到场核验由可信渠道“{presence.attested_by}”完成（免短信及人脸核验）。",
                message_en=f"Presence was attested in person by the trusted channel “{presence.attested_by}” "
                "(no SMS or face step).",
                evidence={"proof": "attested", "attested_by": presence.attested_by},
            )
        ]
    hits: list[Hit] = []
    for person in presence.people:
        zh, en = _presence_labels(person.roles)
        evidence: dict[str, object] = {"roles": list(person.roles), "name": person.name, "status": person.status}
        if person.status == "failed":
            proof_zh, proof_en = _PROOF_LABELS.get(person.failed_proof, (person.failed_proof, person.failed_proof))
            hits.append(
                Hit(
                    rule="presence_failed",
                    outcome="reject",
                    message=f"{zh}{person.name}的{proof_zh}未通过，本人在场核验失败。",
                    message_en=f"The {en} {person.name} failed {proof_en}: presence was not proven.",
                    evidence={**evidence, "proof": person.failed_proof},
                )
            )
        elif person.status != "verified":
            hits.append(
                Hit(
                    rule="presence_missing",
                    outcome="reject",
                    message=f"{zh}{person.name}未完成本人实名核验。",
                    message_en=f"The {en} {person.name} did not complete the proof of presence.",
                    evidence=evidence,
                )
            )
        elif person.face == "review":
            hits.append(
                Hit(
                    rule="presence_face_review",
                    outcome="review",
                    message=f"{zh}{person.name}的人脸比对结果接近阈值（距离 {person.face_distance:.3f}，"
                    f"阈值 {person.face_threshold:.2f}），需人工比对照片。",
                    message_en=f"The {en} {person.name}'s face distance {person.face_distance:.3f} is near the "
                    f"threshold {person.face_threshold:.2f}: a reviewer compares the pictures.",
                    evidence={
                        **evidence,
                        "proof": "face",
                        "distance": person.face_distance,
                        "threshold": person.face_threshold,
                    },
                )
            )
    if presence.people and not hits:
        hits.append(
            Hit(
                rule="presence_verified",
                outcome="pass",
                message=f"全部{len(presence.people)}名自然人已完成短信验证码、人脸比对与确认。",
                message_en=f"All {len(presence.people)} natural persons confirmed an SMS code, their face and "
                "their consent.",
                evidence={"proof": "verified", "people": len(presence.people)},
            )
        )
    return hits


def _registry_hit(person: _Person, found: bool, name_matches: bool, status: str | None) -> Hit | None:
    zh, en = person.labels()
    masked = mask_id_number(person.id_number)
    if not found:
        return Hit(
            rule="registry_not_found",
            outcome="reject",
            message=f"公民身份信息库中查无{zh}{person.name}的身份证号码 {masked}。",
            message_en=f"The citizen registry has no record of the {en} {person.name}'s ID number {masked}.",
            evidence=person.evidence(),
        )
    if not name_matches:
        return Hit(
            rule="registry_name_mismatch",
            outcome="reject",
            message=f"{zh}姓名“{person.name}”与身份证号码 {masked} 在公民身份信息库中登记的姓名不一致。",
            message_en=(f"The {en}'s name “{person.name}” does not match the name registered for ID number {masked}."),
            evidence=person.evidence(),
        )
    if status in _STATUS_LABELS:
        status_zh, status_en = _STATUS_LABELS[status]
        return Hit(
            rule="registry_status",
            outcome="reject",
            message=f"{zh}{person.name}的身份证号码 {masked} 状态为“{status_zh}”，不能办理登记。",
            message_en=f"The {en} {person.name}'s ID number {masked} is {status_en}; it cannot be used.",
            evidence={**person.evidence(), "status": status},
        )
    if status not in (None, "valid"):
        # An unknown status is not a pass: a person should look at it.
        return Hit(
            rule="registry_status",
            outcome="review",
            message=f"{zh}{person.name}的身份证号码 {masked} 状态未知（{status}），转人工审核。",
            message_en=f"The {en} {person.name}'s ID number {masked} has an unknown status ({status}); manual review.",
            evidence={**person.evidence(), "status": status},
        )
    return None
