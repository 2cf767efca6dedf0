from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from rules.lists import DISHONEST_PERSONS
from rules.models import ListVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged_in(client):
    user = get_user_model().objects.create_superuser(username="root", password="pw-for-tests", email="r@example.com")
    client.force_login(user)
    return client


def test_admin_lists_versions_and_masks_id_numbers(admin_client_logged_in, demo_loaded) -> None:
    response = admin_client_logged_in.get("/admin/rules/listversion/")
    assert response.status_code == 200
    assert "dishonest_persons" in response.content.decode()

    version = ListVersion.objects.get(kind=DISHONEST_PERSONS)
    response = admin_client_logged_in.get(f"/admin/rules/listentry/?version__kind={DISHONEST_PERSONS}")
    page = response.content.decode()
    assert response.status_code == 200
    first = demo_loaded[DISHONEST_PERSONS][0]["id_number"]
    assert first[:6] + "********" + first[-4:] in page
    assert first not in page
    assert version.entries.count() == 50


def test_admin_publish_action_switches_versions(admin_client_logged_in, import_rows, demo) -> None:
    from rules.lists import NAME_WORDS

    import_rows(NAME_WORDS, demo[NAME_WORDS])
    import_rows(NAME_WORDS, demo[NAME_WORDS][:5], publish=False)
    draft = ListVersion.objects.get(kind=NAME_WORDS, number=2)
    response = admin_client_logged_in.post(
        "/admin/rules/listversion/", {"action": "publish_selected", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    assert list(ListVersion.objects.filter(kind=NAME_WORDS).order_by("number").values_list("status", flat=True)) == [
        "archived",
        "published",
    ]
