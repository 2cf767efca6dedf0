"""Masking on screens: admin lists and pages show at most the first 6 and last 4 characters of
an ID number and the first 3 and last 4 digits of a phone."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from departments.services import citizens_import
from intake.services import application_submit
from tests.conftest import (
    CLEAN_PERSON,
    DISHONEST_PERSON,
    SECOND_PERSON,
    application_document,
    citizens_csv,
    trusted_channel,
)

pytestmark = pytest.mark.django_db

PEOPLE = (CLEAN_PERSON, SECOND_PERSON, DISHONEST_PERSON)


def _unmasked(html: str) -> list[str]:
    found = []
    for person in PEOPLE:
        for value in (person["id_number"], person["id_number"].lower(), person["phone"]):
            if value in html:
                found.append(f"{value[:3]}…")
    return found


@pytest.fixture
def admin_client() -> Client:
    User.objects.create_superuser("root", password="a-long-test-password")
    client = Client()
    client.login(username="root", password="a-long-test-password")
    return client


@pytest.fixture
def application() -> object:
    document = application_document(name="深圳市远峰贸易有限公司", person=DISHONEST_PERSON)
    document["handler"] = dict(SECOND_PERSON)
    document["departments"] = ["market_regulation"]
    return application_submit(document=document, presence_attested_by=trusted_channel()).application


def test_the_admin_shows_applications_and_persons_masked(admin_client, application):
    pages = [
        "/admin/applications/application/",
        f"/admin/applications/application/{application.pk}/change/",
        "/admin/applications/person/",
        f"/admin/applications/person/{application.persons.first().pk}/change/",
    ]
    for url in pages:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert _unmasked(html) == [], url
    html = admin_client.get("/admin/applications/person/").content.decode()
    assert "110101********" + DISHONEST_PERSON["id_number"][-4:] in html
    assert "139****9000" in html


def test_the_admin_finds_a_persons_applications_by_a_full_id_number(admin_client, application):
    # Through the POST page "find by ID number": the number stays out of every URL.
    lookup = "/admin/applications/application/find-by-id-number/"
    found = admin_client.post(lookup, {"id_number": DISHONEST_PERSON["id_number"].lower()})
    assert application.reference in found.content.decode()
    missed = admin_client.post(lookup, {"id_number": CLEAN_PERSON["id_number"]})
    assert application.reference not in missed.content.decode()
    persons = admin_client.post(
        "/admin/applications/person/find-by-id-number/", {"id_number": SECOND_PERSON["id_number"]}
    )
    assert [person.role for person, _url in persons.context["results"]] == ["handler"]


def test_the_department_admin_shows_citizens_and_requests_masked(admin_client):
    from departments.models import Citizen

    citizens_import(csv_text=citizens_csv(*PEOPLE))
    for url in ["/admin/departments/citizen/", f"/admin/departments/citizen/{Citizen.objects.first().pk}/change/"]:
        response = admin_client.get(url)
        assert response.status_code == 200 and _unmasked(response.content.decode()) == [], url
    found = admin_client.post(
        "/admin/departments/citizen/find-by-id-number/", {"id_number": SECOND_PERSON["id_number"]}
    )
    assert [citizen.name for citizen, _url in found.context["results"]] == [SECOND_PERSON["name"]]


def test_the_review_desk_queue_is_masked_and_only_the_case_page_shows_full_data(application):
    # The rule: unmasked personal data appears only on the case page, and each view of
    # it is recorded (tests/review/test_desk.py checks the record).
    from accounts.models import Role
    from accounts.services import user_create_with_role
    from applications.models import Application

    Application.objects.filter(pk=application.pk).update(status="manual_review", outcome="review")
    user_create_with_role(username="reviewer", password="a-long-test-password", role=Role.REVIEWER)
    client = Client()
    client.login(username="reviewer", password="a-long-test-password")
    assert _unmasked(client.get("/review/").content.decode()) == []
    assert _unmasked(client.get(f"/review/{application.pk}/").content.decode()) != []


def test_the_carrier_admin_shows_subscribers_and_messages_masked(admin_client):
    from departments.carrier import sms_deliver
    from departments.models import CarrierMessage, CarrierSubscriber

    citizens_import(csv_text=citizens_csv(*PEOPLE))  # registers each phone with the carrier
    sms_deliver(phone=CLEAN_PERSON["phone"], text="【一窗通】验证码 604172")
    subscriber, message = CarrierSubscriber.objects.first(), CarrierMessage.objects.get()
    for url in [
        "/admin/departments/carriersubscriber/",
        f"/admin/departments/carriersubscriber/{subscriber.pk}/change/",
        "/admin/departments/carriermessage/",
        f"/admin/departments/carriermessage/{message.pk}/change/",
    ]:
        response = admin_client.get(url)
        html = response.content.decode()
        assert response.status_code == 200 and _unmasked(html) == [], url
        assert "604172" not in html, url  # the one-time code stays in the phone's inbox
