"""The real administrative divisions of China at county level and above (行政区划).

The table is python-stdnum's bundled ``stdnum/cn/loc.dat`` (GB/T 2260 codes with their names and
the years each name was in use), so no data file of our own has to be kept up to date. Only
names in current use count: a name whose last period has ended ("[1983-2005]东山区") is history.

Levels: 1 province (省, 自治区, 直辖市), 2 prefecture (地级市, 地区, 自治州, 盟), 3 county
(市辖区, 县, 县级市, 旗, ...). Codes are the 6-digit GB/T 2260 codes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

PROVINCE, PREFECTURE, COUNTY = 1, 2, 3
MUNICIPALITIES = ("11", "12", "31", "50")  # 北京 天津 上海 重庆: their districts sit right under them
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位"}
_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.+)$")
_SHORTENABLE = ("省", "市", "自治区", "地区", "盟")
_ETHNIC_REGION = re.compile(r"^(.{2,3}?)(?:壮族|回族|维吾尔)?自治区$")


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: int

    @property
    def province_code(self) -> str:
        return self.code[:2]

    @property
    def prefecture_code(self) -> str:
        return self.code[:4]


@dataclass(frozen=True)
class RegionTable:
    by_code: dict[str, Region]
    # name (full, and the short form of provinces and prefectures) -> regions of that name
    by_name: dict[str, tuple[Region, ...]]
    longest_name: int

    def lookup(self, name: str) -> tuple[Region, ...]:
        return self.by_name.get(name, ())

    def is_region(self, name: str) -> bool:
        return name in self.by_name


def _current_name(value: str) -> str | None:
    """The name in use today, from a value like "[1983-1989]上埗区办事处,[1990-]福田区"."""
    current = None
    for part in value.split(","):
        part = part.strip()
        match = _PERIOD.match(part)
        if match is None:
            current = part
        elif not match.group(2):
            current = match.group(3)
    return current


def short_name(name: str) -> str | None:
    match = _ETHNIC_REGION.match(name)
    if match:
        return match.group(1)
    for suffix in _SHORTENABLE:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


@cache
def region_table() -> RegionTable:
    text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    by_code: dict[str, Region] = {}
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line.split()[0]
            continue
        code4, _, rest = line.strip().partition(" ")
        value = rest.partition("=")[2].strip().strip('"')
        name = _current_name(value)
        if not name or name in _PLACEHOLDERS:
            continue
        code = province + code4
        if code4 == "0000":
            level = PROVINCE
        elif code4.endswith("00"):
            level = PREFECTURE
        else:
            level = COUNTY
        by_code[code] = Region(code=code, name=name, level=level)
    by_name: dict[str, list[Region]] = {}
    for region in by_code.values():
        by_name.setdefault(region.name, []).append(region)
        if region.level in (PROVINCE, PREFECTURE):
            short = short_name(region.name)
            if short:
                by_name.setdefault(short, []).append(region)
    longest = max(len(n) for n in by_name)
    return RegionTable(by_code=by_code, by_name={k: tuple(v) for k, v in by_name.items()}, longest_name=longest)


def contains(parent: Region, child: Region) -> bool:
    """Whether ``child`` lies within ``parent`` by its code."""
    if parent.level == PROVINCE:
        return child.code[:2] == parent.code[:2] and child.code != parent.code
    if parent.level == PREFECTURE:
        return child.code[:4] == parent.code[:4] and child.code != parent.code
    return False
