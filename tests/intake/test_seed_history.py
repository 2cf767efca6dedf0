"""manage.py seed_history writes a past in bulk; bench/explain.py prints the hot path's plans against it."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from applications.models import Application, ApplicationStatus, Check, Person, WorkItem

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_seed_history_writes_finished_applications_with_their_rows():
    call_command("seed_history", "--count", "30", "--batch", "7", "--seed", "3")

    assert Application.objects.count() == 30
    assert not Application.objects.exclude(status__in=Application.TERMINAL).exists()
    assert Check.objects.filter(application__status=ApplicationStatus.COMPLETED).exists()
    assert WorkItem.objects.count() >= 30 and Person.objects.count() >= 30
    person = Person.objects.first()
    assert len(person.id_number) == 18 and person.id_number_index  # decrypts, and is indexed


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_explain_prints_a_plan_for_every_hot_path_query_of_a_seeded_history():
    call_command("seed_history", "--count", "40", "--seed", "4")
    # The committed test database, not the one DATABASE_URL names.
    url = urlsplit(os.environ["DATABASE_URL"])
    test_url = urlunsplit(url._replace(path="/" + settings.DATABASES["default"]["NAME"]))
    result = subprocess.run(
        [sys.executable, "bench/explain.py"],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": test_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("40 applications in postgresql")
    assert "-- status ETag (one query)" in result.stdout and "Execution Time" in result.stdout
    assert "sequential scans of the aggregate on the hot path:" in result.stdout
