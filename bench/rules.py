"""The rule libraries at national scale: import time, memory, per-check latency, and the same
checks done naively, in one run.

    DATABASE_URL=postgres://onewindow:onewindow@127.0.0.1:5432/onewindow_rules \\
        .venv/bin/python bench/rules.py

Generates 10,000 words, 1,000,000 registered enterprises, 1,000,000 standard addresses and
1,000,000 dishonest persons (deterministic; ``--scale 0.1`` for a tenth), imports each through
the real CSV import (rules.services.list_import, exactly what ``import_library`` runs), then
times the names, addresses and dishonest checks through the engine (rules.engine.check_library,
as the pipeline runs them) and the naive baselines:

* words: a regular-expression alternation of all words, and a substring loop, over the same
  normalized names (the automaton's job);
* names: a full rapidfuzz scan of the register for similar names (the indexed lookups' job);
* addresses: a full rapidfuzz scan of the standard addresses (the resolver's job);
* dishonest: a scan of the list for the person's key (the index's job).

It runs in a database of its own (Django's test database: ``test_<name>``, created and dropped),
never in the configured one. A script, not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import io
import os
import random
import re
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Common characters for trade names, words and place names (generated, deterministic).
HAN = (
    "云帆星河青禾远峰澄明知行拓新朗润嘉树鸿羽川卓越华信达通源泰丰盛安康宏伟博创智联恒瑞德正和兴隆鑫"
    "金银海天龙凤祥瑞宝泽佳美优品鼎晟汇聚合力同心诚益众志锦程启航腾飞立业荣昌永乐嘉禾新元光辉骏驰"
    "高远晨曦紫阳碧水蓝山松柏竹梅兰菊春夏秋冬东南西北中方圆明月清风雅韵书香墨林静思睿哲融冠航宇"
)
INDUSTRIES = ("科技", "信息技术", "网络科技", "贸易", "实业", "文化传播", "餐饮管理", "物流", "建筑工程", "咨询")
FORMS = ("有限公司", "有限责任公司", "股份有限公司")
DISTRICTS = (
    ("南山区", "440305"),
    ("福田区", "440304"),
    ("罗湖区", "440303"),
    ("宝安区", "440306"),
    ("龙岗区", "440307"),
    ("盐田区", "440308"),
    ("龙华区", "440309"),
    ("坪山区", "440310"),
    ("光明区", "440311"),
)
ROAD_SUFFIX = ("路", "大道", "街", "一路", "二路", "三路")
BUILDING_SUFFIX = ("大厦", "科技园", "中心", "广场", "产业园")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ID_REGIONS = ("110101", "110105", "310104", "440305", "440304", "440106", "330106", "320102", "510104", "420102")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def trade_name(rng: random.Random) -> str:
    return "".join(rng.choice(HAN) for _ in range(rng.choice((2, 3, 3, 4))))


# --- Data ---------------------------------------------------------------------------------------


def words_csv(rng: random.Random, count: int) -> tuple[str, list[str]]:
    words: set[str] = set()
    while len(words) < count:
        words.add("".join(rng.choice(HAN) for _ in range(rng.choice((2, 3, 4)))))
    ordered = sorted(words)
    rows = [f"{w},{'prohibited' if i % 4 == 0 else 'restricted'},基准测试字词" for i, w in enumerate(ordered)]
    return "word,level,reason\n" + "\n".join(rows) + "\n", ordered


def enterprises_csv(rng: random.Random, count: int) -> tuple[str, list[str]]:
    from stdnum.cn import uscc

    out = io.StringIO()
    out.write("name,credit_code\n")
    names: list[str] = []
    seen: set[str] = set()
    serial = 0
    while len(names) < count:
        name = f"深圳市{trade_name(rng)}{rng.choice(INDUSTRIES)}{rng.choice(FORMS)}"
        if name in seen:
            continue
        seen.add(name)
        serial += 1
        body = "91440300" + "".join(USCC_ALPHABET[(serial // 31**i) % 31] for i in range(9))
        out.write(f"{name},{body}{uscc.calc_check_digit(body)}\n")
        names.append(name)
    return out.getvalue(), names


def addresses_csv(rng: random.Random, count: int) -> tuple[str, list[str]]:
    out = io.StringIO()
    out.write("code,full_address\n")
    addresses: list[str] = []
    roads: list[str] = []
    while len(roads) < max(50, count // 2997 + 2):  # 999 numbers x 3 blocks per road
        road = f"{rng.choice(HAN)}{rng.choice(HAN)}{rng.choice(ROAD_SUFFIX)}"
        if road not in roads:
            roads.append(road)
    serial = 0
    for road_index, road in enumerate(roads):
        district, area = DISTRICTS[road_index % len(DISTRICTS)]
        for number in range(1, 1000):
            building = f"{rng.choice(HAN)}{rng.choice(HAN)}{rng.choice(BUILDING_SUFFIX)}"
            for block in "ABC":
                if len(addresses) >= count:
                    return out.getvalue(), addresses
                serial += 1
                full = f"广东省深圳市{district}{road}{number}号{building}{block}栋"
                out.write(f"{area}{serial:09d},{full}\n")
                addresses.append(full)
    return out.getvalue(), addresses


def id_number(rng: random.Random, serial: int) -> str:
    from stdnum.cn import ric

    born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 50))
    body = f"{rng.choice(ID_REGIONS)}{born:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def dishonest_csv(rng: random.Random, count: int) -> tuple[str, list[str]]:
    out = io.StringIO()
    out.write("name,id_number,court,case_number,published_on\n")
    ids: list[str] = []
    seen: set[str] = set()
    serial = 0
    while len(ids) < count:
        serial += 1
        number = id_number(rng, serial)
        if number in seen:
            continue
        seen.add(number)
        ids.append(number)
        out.write(f"失信人{serial},{number},深圳市南山区人民法院,（2024）粤0305执{serial}号,2024-06-30\n")
    return out.getvalue(), ids


# --- Measuring ----------------------------------------------------------------------------------


def timed_import(kind: str, text: str) -> tuple[float, float, str]:
    from rules.services import list_import

    gc.collect()
    started = time.perf_counter()
    summary = list_import(kind=kind, text=text, publish=True, source="bench")
    return time.perf_counter() - started, peak_rss_mb(), summary.line()


def latencies(fn: Callable[[object], object], inputs: list[object]) -> list[float]:
    out = []
    for item in inputs:
        started = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def fmt(values: list[float]) -> str:
    return f"p50 {percentile(values, 0.5):8.3f} ms   p95 {percentile(values, 0.95):8.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the national-scale sizes")
    parser.add_argument("--checks", type=int, default=1000, help="checks per library")
    parser.add_argument("--naive-checks", type=int, default=20, help="checks per naive full-scan baseline")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from rapidfuzz import fuzz, process

    from rules.addressing import address_key
    from rules.engine import PersonFacts, Ports, Subject, check_library
    from rules.normalize import normalize_text
    from rules.privacy import blind_index

    old_name = connection.settings_dict["NAME"]
    test_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        rng = random.Random(args.seed)
        sizes = {
            "words": int(10_000 * args.scale),
            "enterprises": int(1_000_000 * args.scale),
            "addresses": int(1_000_000 * args.scale),
            "dishonest": int(1_000_000 * args.scale),
        }
        print(
            f"OneWindow rule libraries benchmark — database: {connection.vendor} ({test_name}), {os.cpu_count()} cores"
        )
        print(f"sizes: {sizes}")
        print()
        print("generating data ...", flush=True)
        words_text, words = words_csv(rng, sizes["words"])
        enterprises_text, enterprise_names = enterprises_csv(rng, sizes["enterprises"])
        addresses_text, addresses = addresses_csv(rng, sizes["addresses"])
        dishonest_text, debtor_ids = dishonest_csv(rng, sizes["dishonest"])

        print("\n== import (rules.services.list_import, as import_library --publish) ==")
        for kind, text in (
            ("name_words", words_text),
            ("enterprises", enterprises_text),
            ("standard_addresses", addresses_text),
            ("dishonest_persons", dishonest_text),
        ):
            seconds, rss, line = timed_import(kind, text)
            rows = text.count("\n") - 1
            print(
                f"{kind:20s} {rows:>9,} rows  {seconds:7.1f} s  {rows / seconds:>9,.0f} rows/s  "
                f"peak RSS {rss:7.0f} MB   [{line}]"
            )
        del words_text, enterprises_text, addresses_text, dishonest_text
        gc.collect()

        # Inputs: half new names, a quarter registered names in another shape, a quarter with a word.
        n = args.checks
        name_inputs: list[str] = []
        for i in range(n):
            if i % 4 == 0:
                name_inputs.append(rng.choice(enterprise_names).replace("深圳市", "广州市 "))
            elif i % 4 == 1:
                name_inputs.append(f"深圳市{rng.choice(words)}{rng.choice(INDUSTRIES)}有限公司")
            else:
                name_inputs.append(f"深圳市{trade_name(rng)}{rng.choice(INDUSTRIES)}有限公司")
        address_inputs: list[str] = []
        for i in range(n):
            full = rng.choice(addresses)
            variant = full.removeprefix("广东省深圳市") if i % 3 == 0 else full
            if i % 3 == 1:
                variant = variant.replace("栋", "座") + "1201室"
            if i % 5 == 4:
                variant = variant.replace("号", "0号")  # mostly not a standard address
            address_inputs.append(variant)
        person_inputs = [rng.choice(debtor_ids) if i % 2 else id_number(rng, 999_000 + i) for i in range(n)]

        ports = Ports()

        def names_check(name: object) -> object:
            return check_library("names", Subject(company_name=str(name), address=""), ports=ports)

        def addresses_check(address: object) -> object:
            return check_library("addresses", Subject(company_name="", address=str(address)), ports=ports)

        def dishonest_check(number: object) -> object:
            person = PersonFacts(role="legal_representative", name="某某", id_number=str(number))
            return check_library("dishonest", Subject(company_name="", address="", persons=(person,)), ports=ports)

        # Warm up: the first check builds the word automaton (reported separately).
        started = time.perf_counter()
        names_check("深圳市预热科技有限公司")
        automaton_s = time.perf_counter() - started
        addresses_check(addresses[0])
        dishonest_check(debtor_ids[0])

        print(
            f"\n== checks through the engine ({n} each; first names check builds the automaton: {automaton_s:.2f} s) =="
        )
        names_ms = latencies(names_check, name_inputs)
        addresses_ms = latencies(addresses_check, address_inputs)
        dishonest_ms = latencies(dishonest_check, person_inputs)
        outcomes = {
            "names": [names_check(x).outcome for x in name_inputs[:200]],
            "addresses": [addresses_check(x).outcome for x in address_inputs[:200]],
            "dishonest": [dishonest_check(x).outcome for x in person_inputs[:200]],
        }
        print(f"names      {fmt(names_ms)}   target p95 < 5 ms")
        print(f"addresses  {fmt(addresses_ms)}   target p95 < 20 ms")
        print(f"dishonest  {fmt(dishonest_ms)}   target p95 < 1 ms")
        for library, values in outcomes.items():
            counts = {o: values.count(o) for o in ("pass", "review", "reject")}
            print(f"  outcomes of the first 200 {library} checks: {counts}")

        print("\n== the same work done naively, in memory (no database time at all) ==")
        normalized_names = [normalize_text(x) for x in name_inputs]

        # Words: our automaton vs a regex alternation vs a substring loop.
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for w in words:
            automaton.add_word(w, w)
        automaton.make_automaton()
        alternation = re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True))))
        ac_ms = latencies(lambda t: list(automaton.iter(str(t))), normalized_names)
        regex_ms = latencies(lambda t: alternation.findall(str(t)), normalized_names)
        loop_ms = latencies(lambda t: [w for w in words if w in str(t)], normalized_names[: max(50, n // 10)])
        print(f"words, Aho-Corasick      {fmt(ac_ms)}")
        for label, values in (("regex alternation", regex_ms), ("substring loop   ", loop_ms)):
            ratio = percentile(values, 0.5) / percentile(ac_ms, 0.5)
            print(f"words, {label} {fmt(values)}   {ratio:7.1f}x slower (p50)")

        # Names: the whole check vs a full rapidfuzz scan of the register for similar names.
        register = [normalize_text(x) for x in enterprise_names]
        k = args.naive_checks
        names_scan_ms = latencies(
            lambda t: process.extract(str(t), register, scorer=fuzz.ratio, score_cutoff=80, limit=10),
            normalized_names[:k],
        )
        print(
            f"names, full rapidfuzz scan of {len(register):,} names  {fmt(names_scan_ms)}   "
            f"{percentile(names_scan_ms, 0.5) / percentile(names_ms, 0.5):7.1f}x the engine's whole names check (p50)"
        )
        register = []  # free the memory before the next scan

        # Addresses: the whole check vs a full rapidfuzz scan of the standard library.
        keys = [address_key(a) for a in addresses]
        address_scan_ms = latencies(
            lambda t: process.extractOne(address_key(str(t)), keys, scorer=fuzz.ratio), address_inputs[:k]
        )
        print(
            f"addresses, full rapidfuzz scan of {len(keys):,} addresses  {fmt(address_scan_ms)}   "
            f"{percentile(address_scan_ms, 0.5) / percentile(addresses_ms, 0.5):7.1f}x the engine's check (p50)"
        )
        keys = []

        # Dishonest: the whole check vs a scan of the list.
        listed = [blind_index(x) for x in debtor_ids]
        scan_ms = latencies(lambda x: [i for i, v in enumerate(listed) if v == blind_index(str(x))], person_inputs[:k])
        print(
            f"dishonest, scan of {len(listed):,} entries  {fmt(scan_ms)}   "
            f"{percentile(scan_ms, 0.5) / percentile(dishonest_ms, 0.5):7.1f}x the engine's check (p50)"
        )
        print(f"\npeak RSS of the whole run: {peak_rss_mb():.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
