"""`make run` prints the demo integrators' keys from var/; they must open the database in use."""

import pytest

from accounts.models import ApiClient
from accounts.selectors import api_client_by_key
from intake.management.commands.load_demo import demo_client_key

pytestmark = pytest.mark.django_db


def test_a_demo_key_is_created_then_kept(tmp_path):
    key_file = tmp_path / "demo-api-key.txt"
    demo_client_key(name="demo-integrator", key_file=key_file)
    first = key_file.read_text()

    demo_client_key(name="demo-integrator", key_file=key_file)

    assert key_file.read_text() == first
    assert api_client_by_key(key=first).name == "demo-integrator"
    assert ApiClient.objects.filter(name="demo-integrator").count() == 1


@pytest.mark.parametrize("stale", [None, "a-key-of-another-database", "the other client's key"])
def test_a_missing_or_stale_demo_key_is_renewed_for_the_same_client(tmp_path, stale):
    other = tmp_path / "other.txt"
    demo_client_key(name="demo-service-hall", key_file=other, attests_presence=True)
    key_file = tmp_path / "demo-api-key.txt"
    demo_client_key(name="demo-integrator", key_file=key_file)
    old_key = key_file.read_text()
    client = ApiClient.objects.get(name="demo-integrator")
    if stale is None:
        key_file.unlink()  # var/ wiped, the database kept
    else:
        key_file.write_text(other.read_text() if stale == "the other client's key" else stale)

    demo_client_key(name="demo-integrator", key_file=key_file)

    renewed = api_client_by_key(key=key_file.read_text())
    assert renewed is not None and renewed.pk == client.pk  # the same client, a working key
    assert api_client_by_key(key=old_key) is None  # the old key no longer opens it
    assert api_client_by_key(key=other.read_text()).attests_presence  # the other client keeps its key
