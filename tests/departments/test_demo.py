import csv
import io

from departments.demo import citizens_csv, demo_citizens
from departments.validation import id_number_problem, mobile_problem


def test_demo_citizens_are_valid_and_deterministic():
    citizens = demo_citizens()
    assert citizens == demo_citizens()
    assert len(citizens) == 300
    assert len({citizen["id_number"] for citizen in citizens}) == 300
    assert all(id_number_problem(citizen["id_number"]) is None for citizen in citizens)
    assert all(mobile_problem(citizen["phone"]) is None for citizen in citizens)
    assert all(citizen["name"] for citizen in citizens)
    statuses = [citizen["status"] for citizen in citizens]
    assert statuses.count("valid") > 250
    assert statuses.count("revoked") > 0 and statuses.count("deceased") > 0
    assert demo_citizens(seed=1, count=5) != demo_citizens(seed=2, count=5)


def test_citizens_csv_round_trips():
    rows = demo_citizens(count=10)
    parsed = list(csv.DictReader(io.StringIO(citizens_csv(rows))))
    assert parsed == rows
