"""Demo data for the simulated citizen registry: deterministic, valid, and fictitious."""

import csv
import io
import random
from collections.abc import Iterable

from faker import Faker

from departments.validation import id_number_problem, mobile_problem

CITIZEN_COLUMNS = ["id_number", "name", "phone", "status"]


def demo_citizens(*, seed: int = 2026, count: int = 300) -> list[dict[str, str]]:
    """``count`` citizens with valid ID numbers (GB 11643), names and mobiles; about 1 in 25 is
    revoked and 1 in 50 deceased. The same seed gives the same people."""
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    statuses = random.Random(seed)
    citizens: list[dict[str, str]] = []
    seen: set[str] = set()
    while len(citizens) < count:
        # Faker's ssn() pairs region codes with years in which the code did not exist about
        # half the time; python-stdnum rejects those, so draw again.
        id_number = fake.ssn()
        if id_number in seen or id_number_problem(id_number):
            continue
        phone = fake.phone_number()
        while mobile_problem(phone):
            phone = fake.phone_number()
        draw = statuses.random()
        status = "deceased" if draw < 0.02 else "revoked" if draw < 0.06 else "valid"
        seen.add(id_number)
        citizens.append({"id_number": id_number, "name": fake.name(), "phone": phone, "status": status})
    return citizens


def citizens_csv(rows: Iterable[dict[str, str]]) -> str:
    """The import format of ``POST /departments/public_security/citizens/import/``."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=CITIZEN_COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
