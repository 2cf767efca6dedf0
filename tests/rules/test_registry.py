"""One registry base for library kinds, list kinds and department simulators; labels in one place."""

from __future__ import annotations

import pytest
from django.utils import translation

from departments.simulators import simulator_choices, simulators
from rules import engine
from rules.lists import list_kind_choices, list_kinds
from rules.registry import Registry


def test_every_registry_is_the_same_base_with_a_label_per_plugin() -> None:
    assert all(isinstance(r, Registry) for r in (engine.libraries, list_kinds, simulators))
    with translation.override("zh-hans"):
        assert dict(engine.library_choices())["capital"] == "注册资本库"
        assert dict(list_kind_choices())["name_words"] == "企业名称禁限用字词"
    with translation.override("en"):
        assert str(engine.LIBRARY_LABELS["capital"]) == "Registered capital"
    assert dict(simulator_choices())["market_regulation"].startswith("市场监管")
    assert list(engine.LIBRARY_LABELS) == engine.library_codes(include_inactive=True)


def test_the_platform_reads_the_library_labels_from_the_registry() -> None:
    from applications.labels import LIBRARY_LABELS as INTAKE
    from dashboard.selectors import LIBRARY_LABELS as DASHBOARD

    assert INTAKE is engine.LIBRARY_LABELS and DASHBOARD is engine.LIBRARY_LABELS


def test_a_taken_code_is_refused_and_an_unknown_one_named() -> None:
    registry: Registry[type] = Registry("widget")

    @registry("a", verbose_name="A")
    class First:
        pass

    with pytest.raises(ValueError, match="widget 'a' is already registered"):

        @registry("a")
        class Second:
            pass

    with pytest.raises(KeyError, match="unknown widget 'b'; known: a"):
        registry["b"]
    assert registry.get_choices() == [("a", "A")] and First.code == "a"


def test_admin_titles_are_chinese_with_english_translations() -> None:
    from rules.models import GoldenCase, HitCount, ListEntry

    with translation.override("zh-hans"):
        titles = [str(m._meta.verbose_name_plural) for m in (GoldenCase, HitCount, ListEntry)]
        assert titles == ["黄金用例", "命中统计", "名单条目"]
    with translation.override("en"):
        titles = [str(m._meta.verbose_name_plural) for m in (GoldenCase, HitCount, ListEntry)]
        assert titles == ["Golden cases", "Hit counts", "List entries"]
