"""The pipeline's application document (CONTRACT §4): its written-out reads give what the ORM gives."""

import pytest

from applications.models import Application
from applications.selectors import application_document
from tests.conftest import CLEAN_PERSON, SECOND_PERSON
from tests.conftest import application_document as document_of
from tests.workflow.driver import submit

pytestmark = pytest.mark.django_db


def test_the_document_has_every_person_decrypted_in_order_and_the_departments_in_order(django_assert_num_queries):
    document = document_of(person=CLEAN_PERSON)
    document["handler"] = {k: SECOND_PERSON[k] for k in ("name", "id_number", "phone")}
    document["shareholders"] = [
        {"name": p["name"], "id_number": p["id_number"], "contribution": amount}
        for p, amount in ((CLEAN_PERSON, "600000.00"), (SECOND_PERSON, "400000.00"))
    ]
    application = Application.objects.get(pk=submit(document).pk)

    with django_assert_num_queries(3):  # persons, departments, the presence section
        built = application_document(application=application)
    prefetched = Application.objects.prefetch_related("persons", "work_items").get(pk=application.pk)

    assert built == application_document(application=prefetched)
    assert built["legal_representative"] == {k: CLEAN_PERSON[k] for k in ("name", "id_number", "phone")}
    assert built["handler"]["id_number"] == SECOND_PERSON["id_number"]
    assert [(s["name"], s["contribution"]) for s in built["shareholders"]] == [
        ("张伟", "600000.00"),
        ("李娜", "400000.00"),
    ]
    assert built["departments"] == list(
        application.work_items.order_by("position").values_list("department", flat=True)
    )
    assert built["departments"][0] == "market_regulation"
