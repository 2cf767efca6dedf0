"""Simplified Chinese first, English through Django's i18n."""

import pytest


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_on_request(client):
    chinese = client.get("/accounts/login/").content.decode()
    english = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "用户名" in chinese
    assert 'lang="zh-hans"' in chinese
    assert "Username" in english
    assert "用户名" not in english
    assert 'lang="en"' in english


@pytest.mark.django_db
def test_the_language_switch_sticks(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "One form, submitted once" in client.get("/").content.decode()
