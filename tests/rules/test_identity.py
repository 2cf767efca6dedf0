from __future__ import annotations

import json

import pytest

from rules.engine import (
    CitizenVerification,
    LookupUnavailable,
    PersonFacts,
    Ports,
    Subject,
    check_all,
    check_library,
)

ZHANG = ("张伟", "11010519491231002X")
LI = ("李娜", "320000197902240166")
WANG = ("王芳", "43052519920902865X")
BAD_CHECKSUM = "110105194912310021"  # ZHANG's number with the wrong check digit


class Registry:
    """An in-test citizen registry behind the CitizenLookup port."""

    def __init__(self, citizens: dict[str, tuple[str, str]], *, unavailable: bool = False) -> None:
        self.citizens = citizens  # id -> (name, status)
        self.unavailable = unavailable
        self.calls: list[tuple[str, str]] = []

    def verify(self, *, id_number: str, name: str) -> CitizenVerification:
        self.calls.append((id_number, name))
        if self.unavailable:
            raise LookupUnavailable(f"timeout looking up {id_number}")
        if id_number not in self.citizens:
            return CitizenVerification(found=False, name_matches=False, status=None)
        registered_name, status = self.citizens[id_number]
        return CitizenVerification(found=True, name_matches=registered_name == name, status=status)


def registry(**statuses: str) -> Registry:
    citizens = {number: (name, "valid") for name, number in (ZHANG, LI, WANG)}
    for number_name, status in statuses.items():
        name, number = {"zhang": ZHANG, "li": LI, "wang": WANG}[number_name]
        citizens[number] = (name, status)
    return Registry(citizens)


def person(role: str, who: tuple[str, str], **overrides: str) -> PersonFacts:
    return PersonFacts(**{"role": role, "name": who[0], "id_number": who[1], "phone": "13800138000", **overrides})


def subject(*persons: PersonFacts) -> Subject:
    return Subject(company_name="深圳市云帆科技有限公司", address="深圳市南山区", persons=persons)


def identity(subject: Subject, port: Registry):
    return check_library("identity", subject, ports=Ports(citizens=port))


def test_everyone_verified_passes() -> None:
    port = registry()
    result = identity(
        subject(person("legal_representative", ZHANG), person("handler", LI), person("shareholder", WANG)), port
    )
    assert result.outcome == "pass"
    assert result.findings == ()
    assert sorted(port.calls) == sorted([ZHANG[::-1], LI[::-1], WANG[::-1]])


def test_handler_defaulting_to_the_legal_representative_is_verified_once() -> None:
    doc = {
        "company": {"name": "深圳市云帆科技有限公司", "address": "x"},
        "legal_representative": {"name": ZHANG[0], "id_number": ZHANG[1].lower(), "phone": "13800138000"},
    }
    port = registry(zhang="revoked")
    result = identity(Subject.from_document(doc), port)
    assert port.calls == [(ZHANG[1], ZHANG[0])]  # uppercase X: lowercase x is the same number
    [finding] = result.findings
    assert finding.rule == "registry_status"
    assert finding.evidence["roles"] == ["legal_representative", "handler"]
    assert finding.evidence["status"] == "revoked"


def test_wrong_check_digit_is_rejected_without_asking_the_registry() -> None:
    port = registry()
    result = identity(subject(person("legal_representative", ZHANG, id_number=BAD_CHECKSUM)), port)
    assert result.outcome == "reject"
    [finding] = result.findings
    assert finding.rule == "id_invalid"
    assert finding.evidence["problem"] == "checksum"
    assert finding.evidence["id_number"] == "110105********0021"
    assert "校验位" in finding.message
    assert port.calls == []


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("1101051949123100", "length"),
        ("110105194913310021", "component"),  # month 13, check digit right
        ("1101051949123100AX", "format"),
    ],
)
def test_malformed_id_numbers_are_rejected(number: str, problem: str) -> None:
    result = identity(subject(person("shareholder", ZHANG, id_number=number)), registry())
    assert [(f.rule, f.evidence["problem"]) for f in result.findings] == [("id_invalid", problem)]


def test_a_region_code_of_any_period_is_accepted() -> None:
    # 4503 27 did not exist in 1996 by python-stdnum's table, yet numbers keep the code of the
    # place and time of issue (re-issued after districts were created): any period will do, and
    # the registry decides whether the number is real.
    number = "450327199611071416"
    port = Registry({number: ("赵敏", "valid")})
    result = identity(subject(person("legal_representative", ("赵敏", number))), port)
    assert result.findings == ()
    assert len(port.calls) == 1


def test_a_region_code_that_never_existed_is_rejected_without_asking_the_registry() -> None:
    port = Registry({"999999199001010024": ("钱进", "valid")})
    result = identity(subject(person("shareholder", ("钱进", "999999199001010024"))), port)
    assert [(f.rule, f.evidence["problem"]) for f in result.findings] == [("id_invalid", "component")]
    assert "地区码" in result.findings[0].message and "region code" in result.findings[0].message_en
    assert port.calls == []


def test_unknown_number_is_rejected() -> None:
    port = Registry({})
    [finding] = identity(subject(person("legal_representative", ZHANG)), port).findings
    assert finding.rule == "registry_not_found"
    assert finding.outcome == "reject"


def test_name_mismatch_is_rejected() -> None:
    [finding] = identity(subject(person("handler", ZHANG, name="张三")), registry()).findings
    assert finding.rule == "registry_name_mismatch"
    assert finding.outcome == "reject"
    assert "张三" in finding.message


@pytest.mark.parametrize("status", ["revoked", "deceased"])
def test_revoked_or_deceased_is_rejected(status: str) -> None:
    result = identity(subject(person("legal_representative", ZHANG), person("shareholder", LI)), registry(li=status))
    assert result.outcome == "reject"
    [finding] = result.findings
    assert (finding.rule, finding.evidence["roles"], finding.evidence["status"]) == (
        "registry_status",
        ["shareholder"],
        status,
    )


def test_legal_representative_without_id_is_rejected_shareholder_without_id_is_skipped() -> None:
    port = registry()
    result = identity(
        subject(person("legal_representative", ZHANG, id_number=""), person("shareholder", LI, id_number="")), port
    )
    assert [(f.rule, f.evidence["roles"]) for f in result.findings] == [("id_missing", ["legal_representative"])]
    assert port.calls == []


def test_missing_port_raises_instead_of_passing() -> None:
    with pytest.raises(LookupUnavailable):
        check_library("identity", subject(person("legal_representative", ZHANG)), ports=Ports())


def test_unreachable_registry_raises_without_the_id_number() -> None:
    port = Registry({}, unavailable=True)
    with pytest.raises(LookupUnavailable) as caught:
        identity(subject(person("legal_representative", ZHANG)), port)
    assert ZHANG[1] not in str(caught.value)
    assert caught.value.__suppress_context__


@pytest.mark.django_db
def test_check_all_propagates_an_unavailable_registry(demo_loaded) -> None:
    with pytest.raises(LookupUnavailable):
        check_all(subject(person("legal_representative", ZHANG)), ports=Ports(citizens=Registry({}, unavailable=True)))


def test_findings_never_carry_an_unmasked_id_number() -> None:
    persons = (
        person("legal_representative", ZHANG),
        person("handler", LI, name="错名"),
        person("shareholder", WANG, id_number=WANG[1][:-1] + "1"),
    )
    result = identity(subject(*persons), Registry({}))
    assert len(result.findings) == 3
    dumped = json.dumps(result.to_dict(), ensure_ascii=False)
    for _, number in (ZHANG, LI, WANG):
        assert number not in dumped
        assert number[:-1] not in dumped
    assert "110105********002X" in dumped
    assert repr(persons[0]).count("*") >= 8 and ZHANG[1] not in repr(persons[0])
