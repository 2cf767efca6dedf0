"""The identity library's judgement of the proof of presence the platform collected."""

from __future__ import annotations

from dataclasses import replace

from rules.engine import PresenceFacts, PresencePerson, Subject
from tests.rules.test_identity import LI, ZHANG, identity, person, registry, subject


def _with(presence: PresenceFacts | None) -> Subject:
    return replace(subject(person("legal_representative", ZHANG), person("shareholder", LI)), presence=presence)


def _verified(name: str, roles: tuple[str, ...], **overrides: object) -> PresencePerson:
    return PresencePerson(
        roles=roles, name=name, status="verified", face="match", face_distance=0.3, face_threshold=0.6, **overrides
    )


def test_without_presence_facts_the_dry_run_checks_none():
    result = identity(_with(None), registry())
    assert result.outcome == "pass" and result.findings == ()


def test_everyone_verified_is_a_recorded_pass():
    presence = PresenceFacts(
        people=(_verified(ZHANG[0], ("legal_representative",)), _verified(LI[0], ("shareholder",)))
    )
    result = identity(_with(presence), registry())
    assert result.outcome == "pass"
    assert [f.rule for f in result.findings] == ["presence_verified"]


def test_a_failed_proof_rejects_and_names_it():
    for proof, words in (("carrier", "手机号实名核验"), ("code", "短信验证码"), ("face", "人脸比对")):
        failed = PresencePerson(roles=("shareholder",), name=LI[0], status="failed", failed_proof=proof)
        presence = PresenceFacts(people=(_verified(ZHANG[0], ("legal_representative",)), failed))
        result = identity(_with(presence), registry())
        assert result.outcome == "reject"
        (finding,) = result.findings
        assert (finding.rule, finding.evidence["proof"]) == ("presence_failed", proof)
        assert words in finding.message and LI[0] in finding.message


def test_a_face_near_the_threshold_goes_to_review_with_the_distance():
    near = replace(_verified(LI[0], ("shareholder",)), face="review", face_distance=0.55)
    result = identity(_with(PresenceFacts(people=(_verified(ZHANG[0], ("legal_representative",)), near))), registry())
    assert result.outcome == "review"
    (finding,) = result.findings
    assert finding.rule == "presence_face_review" and finding.evidence["distance"] == 0.55


def test_a_trusted_channel_is_named_and_registry_matching_still_runs():
    result = identity(_with(PresenceFacts(attested_by="工商银行南山支行")), registry(li="revoked"))
    assert result.outcome == "reject"
    rules = {f.rule: f for f in result.findings}
    assert rules["registry_status"].evidence["proof"] == "registry"
    assert rules["presence_attested"].evidence["attested_by"] == "工商银行南山支行"


def test_the_document_carries_presence_into_the_subject():
    document = {
        "company": {"name": "x", "address": "y"},
        "legal_representative": {"name": ZHANG[0], "id_number": ZHANG[1]},
        "presence": {
            "attested_by": "",
            "people": [{"roles": ["legal_representative"], "name": ZHANG[0], "status": "verified", "face": "match"}],
        },
    }
    assert Subject.from_document(document).presence.people[0].status == "verified"
    assert Subject.from_document({**document, "presence": None}).presence is None
