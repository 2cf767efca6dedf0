"""Proof of presence against the real simulated carrier and public security (in-process HTTP).

CLEAN_PERSON's registry photo is the astronaut (scikit-image), SECOND_PERSON's Grace Hopper
(matplotlib): each is the other's "another face". Their phones are registered with the carrier
in their names by the citizens import.
"""

import re
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.throttling import throttle_counts_forget
from intake.demo_photos import astronaut_image, encoded, grace_hopper_image, no_face_image
from tests.conftest import CLEAN_PERSON, SECOND_PERSON, application_document

CODE = re.compile(r"验证码为(\d{6})")


@pytest.fixture(autouse=True)
def _fresh_address_throttle() -> None:
    # The per-address throttle counts in the shared cache, across tests; each test starts afresh.
    throttle_counts_forget(scope="verification_address", ident="127.0.0.1")
    throttle_counts_forget(scope="api_anonymous", ident="127.0.0.1")


@pytest.fixture
def own_face() -> bytes:
    return encoded(astronaut_image(), format="JPEG")


@pytest.fixture
def other_face() -> bytes:
    return encoded(grace_hopper_image(), format="JPEG")


@pytest.fixture
def no_face() -> bytes:
    return encoded(no_face_image(), format="JPEG")


@pytest.fixture
def two_faces() -> bytes:
    from PIL import Image

    left, right = astronaut_image().resize((400, 400)), grace_hopper_image().resize((400, 400))
    both = Image.new("RGB", (800, 400))
    both.paste(left, (0, 0))
    both.paste(right, (400, 0))
    return encoded(both, format="JPEG")


def two_person_document(**company: object) -> dict:
    """CLEAN_PERSON legal representative and shareholder, SECOND_PERSON a second shareholder."""
    document = application_document(**company)
    document["shareholders"] = [
        {"name": CLEAN_PERSON["name"], "id_number": CLEAN_PERSON["id_number"], "contribution": "600000.00"},
        {
            "name": SECOND_PERSON["name"],
            "id_number": SECOND_PERSON["id_number"],
            "contribution": "400000.00",
            "phone": SECOND_PERSON["phone"],
        },
    ]
    return document


def latest_code(phone: str) -> str:
    from exchange.presence import sms_inbox

    for message in sms_inbox(phone=phone, limit=20):
        found = CODE.search(message.text)
        if found:
            return found.group(1)
    raise AssertionError("no code in the simulated phone's inbox")


def link_token(link: str) -> str:
    return link.strip("/").split("/")[-1]


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def untrusted(api_client_for: Callable[..., APIClient]) -> APIClient:
    return api_client_for("erp", attests_presence=False)
