"""Time to completion through the whole pipeline, against a running OneWindow (`make run`).

    .venv/bin/python bench/pipeline.py --url http://127.0.0.1:8000 --count 20

Submits clean applications through the REST API with the demo identities, first one at a time
(the baseline: one application alone in the system), then all at once, and prints p50/p95 time
from POST to `completed` for both, plus the throughput ratio of parallel to serial.
"""

import argparse
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from sample import application_body, clean_person, trusted_key, unique_company_name

VAR_DIR = Path(__file__).resolve().parent.parent / "var"


def _one(client: httpx.Client, person: dict) -> tuple[float, str]:
    started = time.monotonic()
    created = client.post(
        "/api/v1/applications/", json=application_body(person, company_name=unique_company_name(suffix_length=4))
    ).json()
    while True:
        body = client.get(f"/api/v1/applications/{created['id']}/").json()
        if body["status"] in ("completed", "rejected", "manual_review"):
            return time.monotonic() - started, body["status"]
        time.sleep(0.05)


def _percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--var-dir", default=str(VAR_DIR))
    args = parser.parse_args()
    # A trusted channel (it attests presence), so that the benchmark measures the pipeline.
    key, person = trusted_key(Path(args.var_dir)), clean_person(Path(args.var_dir))
    client = httpx.Client(base_url=args.url, headers={"Authorization": f"Token {key}"}, timeout=30)

    serial_started = time.monotonic()
    serial = [_one(client, person) for _ in range(args.count)]
    serial_wall = time.monotonic() - serial_started

    parallel_started = time.monotonic()
    with ThreadPoolExecutor(max_workers=args.count) as pool:
        parallel = list(pool.map(lambda _: _one(client, person), range(args.count)))
    parallel_wall = time.monotonic() - parallel_started

    for label, runs, wall in (("one at a time", serial, serial_wall), ("all at once", parallel, parallel_wall)):
        times = [t for t, _ in runs]
        statuses = {s for _, s in runs}
        print(
            f"{label:>14}: {len(runs)} applications, statuses {sorted(statuses)}, "
            f"p50 {_percentile(times, 50):.2f} s, p95 {_percentile(times, 95):.2f} s, "
            f"throughput {len(runs) / wall:.1f}/s"
        )
    print(f"parallel/serial throughput ratio: {serial_wall / parallel_wall:.1f}x")


if __name__ == "__main__":
    main()
