from __future__ import annotations

import json

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from rules.demo import credit_code, demo_csv
from rules.lists import ADDRESS_BLACKLIST, DISHONEST_PERSONS, ENTERPRISES, NAME_WORDS, STANDARD_ADDRESSES
from rules.models import ListEntry, ListVersion
from rules.privacy import blind_index
from rules.services import ImportFailed, list_import, list_kinds, version_publish

pytestmark = pytest.mark.django_db

WORDS = "word,level,reason\n赌博,prohibited,违背公序良俗\n国际,restricted,须经批准\n银行,restricted,须经批准\n"


def published(kind: str) -> list[int]:
    return list(ListVersion.objects.filter(kind=kind, status="published").values_list("number", flat=True))


def test_the_contract_list_kinds_come_first_then_the_extensions() -> None:
    assert list_kinds() == [
        NAME_WORDS,
        ENTERPRISES,
        STANDARD_ADDRESSES,
        ADDRESS_BLACKLIST,
        DISHONEST_PERSONS,
        "capital_minimums",
        "address_concentration",
    ]


def test_import_and_publish_prints_the_contract_summary() -> None:
    summary = list_import(kind=NAME_WORDS, text=WORDS, publish=True)
    assert summary.line() == "name_words: 3 entries, version 1 published"
    draft = list_import(kind=NAME_WORDS, text=WORDS)
    assert draft.line() == "name_words: 3 entries, version 2 draft"
    assert published(NAME_WORDS) == [1]
    version = ListVersion.objects.get(kind=NAME_WORDS, number=1)
    assert version.entry_count == 3
    assert version.published_at is not None
    assert list(version.entries.values_list("line", "key")) == [(2, "赌博"), (3, "国际"), (4, "银行")]


def test_publishing_switches_and_archives() -> None:
    list_import(kind=NAME_WORDS, text=WORDS, publish=True)
    list_import(kind=NAME_WORDS, text=WORDS)
    version_publish(kind=NAME_WORDS, number=2)
    assert published(NAME_WORDS) == [2]
    assert ListVersion.objects.get(kind=NAME_WORDS, number=1).status == "archived"
    version_publish(kind=NAME_WORDS, number=1)  # rolling back is publishing the old one again
    assert published(NAME_WORDS) == [1]
    version_publish(kind=NAME_WORDS, number=1)  # already published: nothing changes
    assert published(NAME_WORDS) == [1]
    with pytest.raises(ValueError, match="no version 9"):
        version_publish(kind=NAME_WORDS, number=9)


def test_the_database_allows_one_published_version_per_kind() -> None:
    list_import(kind=NAME_WORDS, text=WORDS, publish=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ListVersion.objects.create(kind=NAME_WORDS, number=7, status="published", published_at=timezone.now())
    # Another kind may have its own published version.
    list_import(kind=ENTERPRISES, text="name,credit_code\n", publish=True)
    assert published(ENTERPRISES) == [1]


def test_a_byte_order_mark_and_windows_line_ends_are_tolerated() -> None:
    summary = list_import(kind=NAME_WORDS, text="\ufeff" + WORDS.replace("\n", "\r\n"))
    assert summary.count == 3


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_stored() -> None:
    text = (
        "word,level,reason\n"  # line 1
        "赌博,prohibited,违背公序良俗\n"  # 2 ok
        "国际,forbidden,须经批准\n"  # 3 bad level
        '银行,restricted,"须经金融监管部门\n前置审批"\n'  # 4-5 ok, a quoted reason over two lines
        ",restricted,没有字词\n"  # 6 empty word
        "\n"  # 7 blank lines are skipped
        "賭 博,prohibited,重复\n"  # 8 duplicate of line 2 after normalization
        "中华,restricted,须经批准,多余\n"  # 9 too many fields
        "!!!,prohibited,只有标点\n"  # 10 empty after normalization
    )
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=NAME_WORDS, text=text, publish=True)
    errors = caught.value.errors
    assert [line for line, _ in errors] == [3, 6, 8, 9, 10]
    reasons = dict(errors)
    assert "level" in reasons[3]
    assert "word" in reasons[6]
    assert "same as line 2" in reasons[8]
    assert "fields" in reasons[9]
    assert "empty after normalization" in reasons[10]
    assert "line 3" in str(caught.value)
    assert ListVersion.objects.count() == 0
    assert ListEntry.objects.count() == 0


def test_missing_required_column_is_an_error_on_line_one() -> None:
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=NAME_WORDS, text="word,reason\n赌博,违背公序良俗\n")
    assert caught.value.errors == [(1, "missing required column(s): level")]
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=NAME_WORDS, text="")
    assert caught.value.errors[0][0] == 1


def test_unknown_kind_is_refused_clearly() -> None:
    with pytest.raises(ImportFailed) as caught:
        list_import(kind="citizens", text="id_number,name,phone,status\n")
    [(line, reason)] = caught.value.errors
    assert line == 0
    assert "unknown list kind 'citizens'" in reason


def test_headers_are_case_insensitive_and_extra_columns_ignored() -> None:
    summary = list_import(kind=NAME_WORDS, text="Word , LEVEL,Reason,note\n赌博,Prohibited,违背公序良俗,x\n")
    assert summary.count == 1
    assert ListEntry.objects.get().data == {"word": "赌博", "level": "prohibited", "reason": "违背公序良俗"}


def test_enterprises_validate_credit_codes() -> None:
    import random

    good = credit_code(random.Random(1))
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    text = (
        "name,credit_code\n"
        f"深圳市甲科技有限公司,{good.lower()}\n"
        f"深圳市乙科技有限公司,{bad}\n"
        f"深圳市丙科技有限公司,{good}\n"
    )
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=ENTERPRISES, text=text)
    assert [line for line, _ in caught.value.errors] == [3, 4]
    assert "check character" in caught.value.errors[0][1]
    assert "duplicate credit_code (same as line 2)" in caught.value.errors[1][1]


def test_dishonest_ids_are_validated_and_stored_only_as_blind_index_and_mask() -> None:
    text = (
        "name,id_number,court,case_number,published_on\n"
        "王芳,43052519920902865x,深圳市南山区人民法院,（2024）粤0305执1号,2024-06-30\n"
        "张伟,110105194912310021,深圳市南山区人民法院,（2024）粤0305执2号,\n"
        "李娜,320000197902240166,深圳市南山区人民法院,（2024）粤0305执3号,30/06/2024\n"
    )
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=DISHONEST_PERSONS, text=text)
    assert [line for line, _ in caught.value.errors] == [3, 4]
    assert "110105********0021" in caught.value.errors[0][1]
    assert "110105194912310021" not in str(caught.value)
    assert "published_on" in caught.value.errors[1][1]

    list_import(kind=DISHONEST_PERSONS, text="\n".join(text.splitlines()[:2]) + "\n")
    entry = ListEntry.objects.get()
    # The blind index of the canonical (uppercase) number; no plaintext anywhere in the row.
    assert entry.key == blind_index("43052519920902865X") == blind_index(" 43052519920902865x ")
    assert entry.data["id_number"] == "430525********865X"
    assert "43052519920902865" not in json.dumps(entry.data) + entry.key + entry.ref


def test_standard_addresses_refuse_two_codes_for_one_address() -> None:
    text = (
        "code,full_address,district\n"
        "A1,深圳市南山区粤海街道科苑路15号科兴科学园A栋,南山区\n"
        "A2,南山区科苑路十五号科兴科学园A座,南山区\n"
        "A1,深圳市南山区粤海街道科苑路15号科兴科学园B栋,南山区\n"
    )
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=STANDARD_ADDRESSES, text=text)
    assert caught.value.errors == [(3, "duplicate address (same as line 2)"), (4, "duplicate code (same as line 2)")]


def test_blacklist_rows_resolve_to_standard_codes(import_rows, demo) -> None:
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=ADDRESS_BLACKLIST, text="address,reason\n440305001000002,虚假地址\n")
    assert caught.value.errors[0][0] == 0
    assert "standard_addresses" in caught.value.errors[0][1]

    import_rows(STANDARD_ADDRESSES, demo[STANDARD_ADDRESSES])
    text = (
        "address,reason\n"
        "440305001000002,虚假地址\n"  # a standard code
        "广东省深圳市南山区科苑路十五号科兴科学园C座,住宅用途\n"  # free text that resolves
        "深圳市南山区不存在路1号,虚假地址\n"  # does not resolve
        "南山区粤海街道科苑路15号科兴科学园B栋,重复\n"  # the same standard address as line 2
    )
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=ADDRESS_BLACKLIST, text=text)
    assert [line for line, _ in caught.value.errors] == [4, 5]
    assert "standard address" in caught.value.errors[0][1]
    assert "same as line 2" in caught.value.errors[1][1]

    list_import(kind=ADDRESS_BLACKLIST, text="\n".join(text.splitlines()[:3]) + "\n", publish=True)
    entries = list(ListEntry.objects.filter(version__kind=ADDRESS_BLACKLIST).values_list("key", "data"))
    assert [key for key, _ in entries] == ["440305001000002", "440305001000003"]
    assert entries[1][1]["full_address"] == "深圳市南山区粤海街道科苑路15号科兴科学园C栋"
    assert entries[1][1]["standard_version"] == 1


def test_a_large_file_imports_whole() -> None:
    # How fast is measured by bench/, not here: a timing assertion fails on a busy machine.
    import random

    rng = random.Random(5)
    rows = [{"name": f"深圳市测试{i}科技有限公司", "credit_code": credit_code(rng)} for i in range(20_000)]
    rows = list({row["credit_code"]: row for row in rows}.values())
    summary = list_import(kind=ENTERPRISES, text=demo_csv(ENTERPRISES, rows), publish=True)
    assert summary.count == len(rows) == ListEntry.objects.count()


def test_a_stray_quote_is_an_error_not_a_swallowed_file() -> None:
    text = 'word,level,reason\n国际,forbidden,须经批准\n"赌博,prohibited,违背公序良俗\n银行,restricted,须经批准\n'
    with pytest.raises(ImportFailed) as caught:
        list_import(kind=NAME_WORDS, text=text)
    assert [line for line, _ in caught.value.errors] == [2, 3]
    assert "unreadable CSV" in caught.value.errors[1][1]
    assert ListVersion.objects.count() == 0
