"""On embedded SQLite a long import no longer holds the database's one write lock throughout.

Every row is checked first (a bad row still means nothing is stored), then the version is
written in short transactions while it is `loading`, and only the last one makes it a draft or
publishes it. Another writer gets in between two batches instead of waiting for the whole import.
"""

import threading
import time

import pytest
from django.db import connection, connections

from accounts.models import ApiClient
from accounts.services import api_client_create
from rules.lists import NAME_WORDS
from rules.models import ListEntry, ListVersion
from rules.normalize import normalize_text
from rules.services import ImportFailed, list_import, version_publish

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the batched import is SQLite's; PostgreSQL has MVCC"),
]

ROWS = 30_000


def distinct_words(count: int) -> list[str]:
    """Three-character words that stay distinct after normalization (traditional to simplified
    folds some characters together)."""
    words: dict[str, str] = {}
    code = 0
    while len(words) < count:
        word = "".join(chr(0x4E00 + (code // 900**k) % 900) for k in range(3))
        words.setdefault(normalize_text(word), word)
        code += 1
    return list(words.values())


def words_csv(rows: int, *, bad_line: int | None = None) -> str:
    lines = ["word,level,reason"]
    for word in distinct_words(rows):
        level = "forbidden" if bad_line is not None and len(lines) + 1 == bad_line else "restricted"
        lines.append(f"{word},{level},须经批准")
    return "\n".join(lines) + "\n"


def test_a_concurrent_writer_commits_while_a_long_import_is_still_writing() -> None:
    outcome: dict[str, object] = {}

    def run_import() -> None:
        try:
            outcome["summary"] = list_import(kind=NAME_WORDS, text=words_csv(ROWS), publish=True)
        except Exception as exc:  # reported by the assertions below
            outcome["error"] = exc
        finally:
            connections.close_all()

    importer = threading.Thread(target=run_import)
    importer.start()
    deadline = time.monotonic() + 300
    while not ListVersion.objects.filter(kind=NAME_WORDS, status=ListVersion.Status.LOADING).exists():
        assert importer.is_alive() and time.monotonic() < deadline, outcome or "the import never started writing"
        time.sleep(0.005)

    # The import has committed its first batch and goes on writing; this write must not wait
    # for the rest of it.
    api_client_create(name="written-during-the-import")
    loading = ListVersion.objects.get(kind=NAME_WORDS)

    importer.join(timeout=300)
    assert "error" not in outcome, outcome
    assert ApiClient.objects.filter(name="written-during-the-import").exists()
    assert loading.status == ListVersion.Status.LOADING, "the write waited until the import had finished"
    version = ListVersion.objects.get(kind=NAME_WORDS)
    assert (version.status, version.entry_count) == (ListVersion.Status.PUBLISHED, ROWS)
    assert ListEntry.objects.filter(version=version).count() == ROWS


def test_a_bad_last_row_still_means_nothing_is_stored() -> None:
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=NAME_WORDS, text=words_csv(5000, bad_line=5001), publish=True)
    assert [line for line, _ in caught.value.errors] == [5001]
    assert ListVersion.objects.count() == 0
    assert ListEntry.objects.count() == 0


def test_a_version_still_loading_cannot_be_published() -> None:
    ListVersion.objects.create(kind=NAME_WORDS, number=1, status=ListVersion.Status.LOADING)
    with pytest.raises(ValueError, match="still being imported"):
        version_publish(kind=NAME_WORDS, number=1)
    assert ListVersion.objects.get().status == ListVersion.Status.LOADING
