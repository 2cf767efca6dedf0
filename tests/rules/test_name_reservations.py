"""Name reservation (名称自主申报): checked like an application, held per authority, one winner."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from rules.engine import Ports, Subject, check_library
from rules.models import NameReservation
from rules.services import list_import
from rules.services.reservations import (
    ReservationRefused,
    name_reservation_create,
    name_reservations_release_expired,
)

NANSHAN = "440305"


@pytest.fixture
def words(db) -> None:
    list_import(
        kind="name_words",
        text="word,level,reason\n赌博,prohibited,x\n银行,restricted,金融类名称须前置审批\n",
        publish=True,
    )


def names(name: str, *, authority: str = NANSHAN, reservation: str = ""):
    return check_library(
        "names", Subject(company_name=name, address="", authority=authority, reservation=reservation), ports=Ports()
    )


@pytest.mark.django_db
def test_a_reserved_name_is_held_two_months_at_its_authority(words) -> None:
    made = name_reservation_create(name="深圳市云帆科技有限公司", authority=NANSHAN, reserved_by="a")
    held = made.reservation
    assert (held.authority, held.status) == (NANSHAN, "active")
    assert 59 <= (held.expires_at - timezone.now()).days <= 62

    # Refused to everyone else at the same authority: the same name, or the same 字号 and industry.
    assert [f.rule for f in names("深圳市云帆科技有限公司").findings] == ["name_reserved"]
    assert [f.rule for f in names("深圳市云帆网络科技有限公司").findings] == ["name_reserved"]
    assert names("深圳市云帆餐饮有限公司").outcome == "pass"  # another industry
    assert names("深圳市云帆科技有限公司", authority="440304").outcome == "pass"  # another authority
    with pytest.raises(ReservationRefused):
        name_reservation_create(name="深圳市云帆科技有限公司", authority=NANSHAN, reserved_by="b")
    # Its holder's application cites it and passes.
    assert names("深圳市云帆科技有限公司", reservation=held.reference).outcome == "pass"
    assert Subject.from_document({"company": {"name_reservation": held.reference}}).reservation == held.reference


@pytest.mark.django_db
def test_the_names_library_decides_what_may_be_reserved(words) -> None:
    with pytest.raises(ReservationRefused) as refused:
        name_reservation_create(name="深圳市赌博科技有限公司", authority=NANSHAN)
    assert refused.value.result.outcome == "reject"
    with pytest.raises(ReservationRefused, match="prior approval"):
        name_reservation_create(name="深圳市银河银行有限公司", authority=NANSHAN)
    held = name_reservation_create(name="深圳市银河银行有限公司", authority=NANSHAN, prior_approval=True).reservation
    assert 364 <= (held.expires_at - timezone.now()).days <= 366
    with pytest.raises(ReservationRefused, match="authority is unknown"):
        name_reservation_create(name="云舟科技有限公司")


@pytest.mark.django_db
def test_an_expired_reservation_no_longer_holds_and_is_released(words) -> None:
    held = name_reservation_create(name="深圳市云帆科技有限公司", authority=NANSHAN).reservation
    NameReservation.objects.filter(pk=held.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert names("深圳市云帆科技有限公司").outcome == "pass"
    # Someone else may reserve it at once; the lapsed one is released on the spot.
    again = name_reservation_create(name="深圳市云帆科技有限公司", authority=NANSHAN).reservation
    held.refresh_from_db()
    assert held.status == "released" and again.status == "active"
    NameReservation.objects.filter(pk=again.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    assert name_reservations_release_expired() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_of_one_name_have_exactly_one_winner() -> None:
    list_import(kind="name_words", text="word,level,reason\n赌博,prohibited,x\n", publish=True)
    barrier = threading.Barrier(2)
    won: list[str] = []
    lost: list[str] = []

    def reserve(who: str) -> None:
        try:
            barrier.wait()
            name_reservation_create(name="深圳市云帆科技有限公司", authority=NANSHAN, reserved_by=who)
            won.append(who)
        except ReservationRefused:
            lost.append(who)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve, args=(who,)) for who in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(lost) == 1
    assert NameReservation.objects.filter(status="active").count() == 1


@pytest.mark.django_db
def test_the_api_reserves_and_refuses(api_client_for, words) -> None:
    client = api_client_for("agent")
    made = client.post(
        "/api/v1/name-reservations/", {"name": "深圳市云帆科技有限公司", "authority": NANSHAN}, format="json"
    )
    assert made.status_code == 201
    reference = made.json()["reference"]
    assert client.get(f"/api/v1/name-reservations/{reference}/").json()["status"] == "active"
    assert api_client_for("other").get(f"/api/v1/name-reservations/{reference}/").status_code == 404

    taken = client.post(
        "/api/v1/name-reservations/", {"name": "深圳市云帆网络科技有限公司", "authority": NANSHAN}, format="json"
    )
    assert taken.status_code == 422 and taken.json()["findings"][0]["rule"] == "name_reserved"
    bad = client.post(
        "/api/v1/name-reservations/", {"name": "深圳市云帆😀有限公司", "authority": "mars"}, format="json"
    )
    assert bad.status_code == 400
    assert set(bad.json()["errors"]) >= {"name", "authority"}
    assert NameReservation.objects.count() == 1


@pytest.mark.django_db
def test_the_form_page_reserves_for_a_signed_in_applicant(client, words) -> None:
    from accounts.models import Role
    from accounts.services import user_create_with_role

    list_import(
        kind="standard_addresses",
        text="code,full_address\nSZ-NS-1,深圳市南山区粤海街道科苑路15号科兴科学园A栋\n",
        publish=True,
    )
    user = user_create_with_role(username="founder", password="pw-for-tests", role=Role.APPLICANT)
    client.force_login(user)
    page = client.post(
        "/reserve-name/", {"name": "深圳市云帆科技有限公司", "address": "深圳市南山区科苑路15号科兴科学园A栋"}
    ).content.decode()
    reservation = NameReservation.objects.get()
    assert reservation.authority == NANSHAN and reservation.reference in page
    refused = client.post("/reserve-name/", {"name": "深圳市云帆科技有限公司", "address": ""}).content.decode()
    assert 'id="reservation-refused"' in refused


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_reservation_of_a_name() -> None:
    from django.db import IntegrityError, transaction

    fields = {"name": "深圳市云帆科技有限公司", "core_key": "云帆科技", "trade_name_key": "云帆", "industry": "科技"}
    later = timezone.now() + datetime.timedelta(days=60)
    NameReservation.objects.create(reference="NR1", authority=NANSHAN, expires_at=later, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        NameReservation.objects.create(reference="NR2", authority=NANSHAN, expires_at=later, **fields)
    NameReservation.objects.create(reference="NR3", authority="440304", expires_at=later, **fields)  # elsewhere
