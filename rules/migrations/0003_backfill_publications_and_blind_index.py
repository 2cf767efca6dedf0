"""Backfill for 0002: the publication log, blind-indexed dishonest entries, enterprise keys.

* Every version that has been published gets a publication from its ``published_at``, so
  checks (which now ask the publication log) see the same versions as before.
* Dishonest-person entries were keyed by the plaintext ID number: they now keep only its blind
  index (key) and masked form (data), so no plaintext ID number stays at rest.
* Enterprise entries and live registrations get the structural keys the names library now
  looks them up by (core name, trade name, pinyin).
"""

from django.db import migrations


def forwards(apps, schema_editor):
    from rules.naming import name_keys
    from rules.privacy import blind_index, mask_id_number

    ListVersion = apps.get_model("rules", "ListVersion")
    Publication = apps.get_model("rules", "Publication")
    ListEntry = apps.get_model("rules", "ListEntry")
    RegisteredEnterprise = apps.get_model("rules", "RegisteredEnterprise")

    for version in ListVersion.objects.exclude(status="draft").order_by("published_at", "id"):
        Publication.objects.create(
            kind=version.kind,
            version=version,
            number=version.number,
            token=version.token,
            effective_at=version.published_at,
            published_by="",
        )
        ListVersion.objects.filter(pk=version.pk).update(effective_from=version.published_at)

    batch = []
    for entry in ListEntry.objects.filter(version__kind="dishonest_persons").iterator(chunk_size=2000):
        if len(entry.key) == 64 and all(c in "0123456789abcdef" for c in entry.key):
            continue  # already a blind index
        plain = entry.key
        entry.key = blind_index(plain)
        entry.data = {**entry.data, "id_number": mask_id_number(plain)}
        batch.append(entry)
        if len(batch) >= 2000:
            ListEntry.objects.bulk_update(batch, ["key", "data"])
            batch = []
    if batch:
        ListEntry.objects.bulk_update(batch, ["key", "data"])

    batch = []
    for entry in ListEntry.objects.filter(version__kind="enterprises").iterator(chunk_size=2000):
        keys = name_keys(entry.data.get("name", ""))
        entry.key, entry.key2, entry.key3 = keys.core or entry.key, keys.trade_name, keys.pinyin
        if keys.industry_group:
            entry.data = {**entry.data, "industry": keys.industry_group}
        batch.append(entry)
        if len(batch) >= 2000:
            ListEntry.objects.bulk_update(batch, ["key", "key2", "key3", "data"])
            batch = []
    if batch:
        ListEntry.objects.bulk_update(batch, ["key", "key2", "key3", "data"])

    for registered in RegisteredEnterprise.objects.all().iterator(chunk_size=2000):
        keys = name_keys(registered.name)
        RegisteredEnterprise.objects.filter(pk=registered.pk).update(
            core_key=keys.core,
            trade_name_key=keys.trade_name,
            pinyin_key=keys.pinyin,
            industry=keys.industry_group[:40],
        )


class Migration(migrations.Migration):
    dependencies = [("rules", "0002_libraries_at_full_strength")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
