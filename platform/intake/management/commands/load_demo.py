"""Loads the demo: published rule libraries, a user per role and their real-name identities.

Safe to run again: libraries that already have a published version are left as they are.
"""

import json
import os
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from faker import Faker
from stdnum.cn import ric

from accounts.models import ApiClient, ApplicantProfile, Role
from accounts.selectors import api_client_by_key
from accounts.services import api_client_create, api_client_key_renew, user_create_with_role
from exchange.policy import sharing_policy_seed_defaults
from exchange.services import citizens_import
from identity.models import AgentAccount
from intake.demo_photos import demo_photos_write
from rules.demo import demo_csv, demo_layers, demo_rows
from rules.selectors import published_version
from rules.services import list_import

DEMO_PASSWORD = "onewindow-demo"
DEMO_USERS = [
    ("applicant", Role.APPLICANT, "申请人（创业者）"),
    ("reviewer", Role.REVIEWER, "审核员"),
    ("deptadmin", Role.DEPARTMENT_ADMIN, "部门管理员（市场监管）"),
    ("gdadmin", Role.DEPARTMENT_ADMIN, "部门管理员（广东省市场监管）"),
    ("courtadmin", Role.DEPARTMENT_ADMIN, "部门管理员（法院）"),
    ("addressadmin", Role.DEPARTMENT_ADMIN, "部门管理员（规划和自然资源）"),
    ("operator", Role.OPERATOR, "运营人员"),
    # A second founder: the principal who verifies through the link the applicant's filing sends.
    ("partner", Role.APPLICANT, "合伙人（第二位股东）"),
    # An intermediary (代办机构) filing for companies it does not belong to, as their handler.
    ("agent", Role.AGENT, "代办机构（深圳市易办企业服务有限公司）"),
]
# Whose real-name identity each login carries (an index into the demo people). Only the first two
# have a face in their registry photo (the astronaut, Grace Hopper), so the agent's member of
# staff shares the partner's: each can then pass the face step in the demo.
DEMO_IDENTITIES = {"applicant": 0, "partner": 1, "agent": 1}
DEMO_AGENT_ORGANISATION = "深圳市易办企业服务有限公司"
# Rule lists are owned by departments: names and the address negative list by market regulation,
# the standard addresses by natural resources, the dishonest list by the courts.
DEMO_DEPARTMENTS = {
    "deptadmin": "market_regulation",
    "gdadmin": "market_regulation",
    "courtadmin": "court",
    "addressadmin": "natural_resources",
}
# Administrators of one jurisdiction's layers (rules.admin.scoping); the others are national.
DEMO_JURISDICTIONS = {"gdadmin": "440000"}
DEMO_CLIENT = "demo-integrator"
# A channel that verifies people in person (CONTRACT §5 --attests-presence): the benchmarks use
# it, so that they measure the pipeline, not people typing codes. The demo integrator is not trusted.
DEMO_TRUSTED_CLIENT = "demo-service-hall"


class Command(BaseCommand):
    help = "Loads demo libraries, demo users (one per role) and their identities in the citizen registry."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--citizens-csv",
            help="write the demo logins' identities to this CSV for the registry, instead of sending them there",
        )

    def handle(self, *args: object, seed: int, citizens_csv: str | None = None, **options: object) -> None:
        rows = demo_rows(seed=seed)
        for kind, kind_rows in rows.items():
            if published_version(kind=kind):
                continue
            summary = list_import(kind=kind, text=demo_csv(kind, kind_rows), publish=True, source="demo")
            self.stdout.write(summary.line())
        # Guangdong's and Shenzhen's layers on top of the national words.
        for kind, scope, layer_rows in demo_layers():
            if published_version(kind=kind, scope=scope):
                continue
            summary = list_import(kind=kind, text=demo_csv(kind, layer_rows), publish=True, source="demo", scope=scope)
            self.stdout.write(summary.line())
        sharing_policy_seed_defaults()
        people = self._demo_people(seed=seed, dishonest=rows["dishonest_persons"][:3])
        for username, role, full_name in DEMO_USERS:
            user = user_create_with_role(
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                full_name=full_name,
                department=DEMO_DEPARTMENTS.get(username),
            )
            if username in DEMO_JURISDICTIONS:
                group, _ = Group.objects.get_or_create(name=f"scope:{DEMO_JURISDICTIONS[username]}")
                user.groups.add(group)
            if username in DEMO_IDENTITIES:
                me = people[DEMO_IDENTITIES[username]]
                ApplicantProfile.objects.update_or_create(
                    user=user, defaults={"name": me["name"], "id_number": me["id_number"], "phone": me["phone"]}
                )
            if role == Role.AGENT:
                AgentAccount.objects.update_or_create(user=user, defaults={"organisation": DEMO_AGENT_ORGANISATION})
        # The identities behind the demo logins live in the public-security registry, like
        # everyone else's; the platform adds them there over HTTP, with their registry photos
        # (real portraits that scikit-image and matplotlib ship), and the import registers their
        # phones with the carrier.
        photo_files = demo_photos_write(directory=Path(settings.VAR_DIR) / "demo-photos")
        photo_of = _demo_photo_assignments(people=people, photo_files=photo_files)
        if citizens_csv:
            # `make run`: the registry is another system with its own database, loaded from this file.
            folder = Path(citizens_csv).resolve().parent
            Path(citizens_csv).write_text(
                _citizens_csv(people, photo_of=photo_of, relative_to=folder), encoding="utf-8"
            )
            self.stdout.write(f"citizens: {len(people)} demo identities written to {citizens_csv}")
        else:
            folder = Path(settings.VAR_DIR).resolve()
            count = citizens_import(
                csv_text=_citizens_csv(people, photo_of=photo_of, relative_to=folder), photo_dir=folder
            )
            self.stdout.write(f"citizens: {count} demo identities in the public_security registry")
        for person in people:
            if person["id_number"] in photo_of:
                person["photo"] = str(photo_of[person["id_number"]])
        key_file = Path(settings.VAR_DIR) / "demo-api-key.txt"
        trusted_key_file = Path(settings.VAR_DIR) / "demo-trusted-api-key.txt"
        demo_client_key(name=DEMO_CLIENT, key_file=key_file)
        demo_client_key(name=DEMO_TRUSTED_CLIENT, key_file=trusted_key_file, attests_presence=True)
        self._print_logins(key_file=key_file, people=people)

    def _demo_people(self, *, seed: int, dishonest: list[dict[str, str]]) -> list[dict[str, str]]:
        faker = Faker("zh_CN")
        faker.seed_instance(seed + 7)
        rng = random.Random(seed)

        def mobile() -> str:
            return f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"

        people: list[dict[str, str]] = []
        while len(people) < 3:
            id_number = faker.ssn(min_age=25, max_age=60)
            # Faker pairs region codes with birth years before the code existed; the registry takes
            # those (a number keeps the code it was issued under), but the demo's people are the
            # common case, whose code existed when they were born: python-stdnum's strict check.
            if _is_valid_id(id_number):
                people.append({"name": faker.name(), "id_number": id_number, "phone": mobile()})
        people += [{"name": row["name"], "id_number": row["id_number"], "phone": mobile()} for row in dishonest]
        return people

    def _print_logins(self, *, key_file: Path, people: list[dict[str, str]]) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, _, full_name in DEMO_USERS:
            self.stdout.write(f"  {username:<10} {full_name}")
        if key_file.exists():
            self.stdout.write(f"API client {DEMO_CLIENT!r} key: {key_file.read_text().strip()}")
        trusted_key_file = Path(settings.VAR_DIR) / "demo-trusted-api-key.txt"
        if trusted_key_file.exists():
            self.stdout.write(
                f"API client {DEMO_TRUSTED_CLIENT!r} (attests presence) key: {trusted_key_file.read_text().strip()}"
            )
        # Synthetic identities, but identities all the same: they go to a file, not the console.
        people_file = Path(settings.VAR_DIR) / "demo-people.json"
        labelled = [{"kind": "clean"}] * 3 + [{"kind": "dishonest"}] * 3
        people_file.write_text(
            json.dumps(
                [{**label, **person} for label, person in zip(labelled, people, strict=False)],
                ensure_ascii=False,
                indent=2,
            )
        )
        self.stdout.write(f"Sample persons in the citizen registry (for the API): {people_file}")


def _is_valid_id(id_number: str) -> bool:
    try:
        return ric.is_valid(id_number)
    except KeyError:  # stdnum's region table lookup fails on some codes
        return False


def _demo_photo_assignments(*, people: list[dict[str, str]], photo_files: dict[str, Path]) -> dict[str, Path]:
    """Registry photos of the three clean demo identities: the applicant is the astronaut (upload
    ``astronaut.png`` as the selfie to pass), the second Grace Hopper, and the third's registry
    photo shows no face (a cup of coffee), so their comparison answers ``no_photo``."""
    order = ["astronaut", "grace_hopper", "no_face"]
    return {person["id_number"]: photo_files[key] for person, key in zip(people[:3], order, strict=False)}


def _citizens_csv(
    people: list[dict[str, str]], *, photo_of: dict[str, Path] | None = None, relative_to: Path | None = None
) -> str:
    photo_of = photo_of or {}

    def photo(person: dict[str, str]) -> str:
        path = photo_of.get(person["id_number"])
        if path is None:
            return ""
        return os.path.relpath(path.resolve(), relative_to) if relative_to else str(path)

    lines = ["id_number,name,phone,status,photo"]
    lines += [f"{p['id_number']},{p['name']},{p['phone']},valid,{photo(p)}" for p in people]
    return "\n".join(lines) + "\n"


def demo_client_key(*, name: str, key_file: Path, attests_presence: bool = False) -> None:
    """Makes sure the key in `key_file` opens the demo client `name`: creates the client, or gives
    it a new key when the file is missing or stale (var/ wiped while the database was kept), so
    that the key `make run` prints always works."""
    if key_file.exists():
        client = api_client_by_key(key=key_file.read_text().strip())
        if client is not None and client.name == name:
            return
    client = ApiClient.objects.filter(name=name).first()
    if client is None:
        _, key = api_client_create(name=name, attests_presence=attests_presence)
    else:
        key = api_client_key_renew(client=client)
    key_file.write_text(key)
