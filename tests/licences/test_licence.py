"""The electronic business licence: issued by market regulation, a PDF in Chinese with a QR code
whose token anyone verifies offline with the authority's published key."""

import base64
import io
import json
from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.test import Client
from pypdf import PdfReader

from accounts.models import Role
from accounts.services import api_client_create, user_create_with_role
from exchange.client import DepartmentAuth, department_client
from tests.conftest import CLEAN_PERSON, application_document
from tests.workflow.driver import run_scheduled, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _quick(settings):
    settings.DEPARTMENT_LATENCY_MS = "0"
    settings.DEPARTMENT_FAILURE_RATE = 0.0


@pytest.fixture
def integrator(db):
    from rest_framework.test import APIClient

    client, key = api_client_create(name="agency")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client, api


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _completed(integrator, name: str) -> dict:
    client, api = integrator
    application = submit(application_document(name=name), api_client=client)
    run_scheduled()
    body = api.get(f"/api/v1/applications/{application.id}/").json()
    assert body["status"] == "completed", body
    return body


def _qr_texts(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(pdf)[0]
    return [barcode.text for barcode in zxingcpp.read_barcodes(page.render(scale=2).to_pil())]


def _verify_page(url: str):
    return Client().get(urlsplit(url).path)


def test_the_licence_pdf_reads_back_in_chinese_and_its_qr_token_verifies_offline(libraries, citizens, integrator):
    _, api = integrator
    body = _completed(integrator, "深圳市青松科技有限公司")
    licence = body["licence"]
    assert licence["number"] and licence["verify_url"].startswith("http://127.0.0.1:8000/verify/licence/")

    response = api.get(f"/api/v1/applications/{body['id']}/licence.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pdf = b"".join(response) if hasattr(response, "streaming_content") else response.content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    for expected in (
        "营业执照",
        "深圳市青松科技有限公司",
        body["credit_code"],
        "有限责任公司",
        CLEAN_PERSON["name"],
        "人民币100万元",
        "深圳市南山区粤海街道科苑路15号科兴科学园A栋1201",
        "软件开发；信息技术咨询服务",
        "深圳市市场监督管理局",
        licence["number"],
    ):
        assert expected in text, expected
    # Only what a printed licence shows: no ID or phone number.
    assert CLEAN_PERSON["id_number"] not in text and CLEAN_PERSON["phone"] not in text

    (scanned,) = _qr_texts(pdf)
    assert scanned == licence["verify_url"]
    token = urlsplit(scanned).path.rsplit("/", 1)[1]
    published = Client().get("/departments/market_regulation/licences/public-key/").json()
    payload, signature = (_b64url(part) for part in token.split("."))
    # Offline: the published key and the token, nothing else (raises if it does not verify).
    Ed25519PublicKey.from_public_bytes(_b64url(published["public_key"])).verify(signature, payload)
    claims = json.loads(payload)
    assert (claims["no"], claims["cc"]) == (licence["number"], body["credit_code"])

    page = _verify_page(scanned)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-verdict="valid"' in html
    assert "深圳市青松科技有限公司" in html and body["credit_code"] in html
    assert CLEAN_PERSON["id_number"] not in html


def test_a_tampered_token_is_refused(libraries, citizens, integrator):
    body = _completed(integrator, "深圳市翠柏科技有限公司")
    url = body["licence"]["verify_url"]
    token = urlsplit(url).path.rsplit("/", 1)[1]
    payload, signature = token.split(".")
    claims = json.loads(_b64url(payload))
    forged_claims = {**claims, "cc": "91440300MA5G00001W"}
    forged = base64.urlsafe_b64encode(json.dumps(forged_claims, separators=(",", ":")).encode()).rstrip(b"=").decode()

    for bad in (f"{forged}.{signature}", f"{payload}.{signature[:-2]}AA", payload, "not-a-token"):
        page = Client().get(f"/verify/licence/{bad}")
        assert page.status_code == 404, bad
        assert 'data-verdict="unknown"' in page.content.decode()
        assert "深圳市翠柏科技有限公司" not in page.content.decode()


def test_a_revoked_licence_shows_as_revoked(libraries, citizens, integrator):
    body = _completed(integrator, "深圳市红杉科技有限公司")
    number = body["licence"]["number"]

    revoked = department_client().post(
        f"market_regulation/licences/{number}/revoke/",
        json={"reason": "依法吊销"},
        auth=DepartmentAuth("market_regulation"),
    )

    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    page = _verify_page(body["licence"]["verify_url"])
    assert page.status_code == 200
    assert 'data-verdict="revoked"' in page.content.decode()


def test_no_licence_before_market_regulation_issued_it_and_none_for_another_client(libraries, citizens, integrator):
    client, api = integrator
    application = submit(application_document(name="深圳市白桦科技有限公司"), api_client=client)

    assert api.get(f"/api/v1/applications/{application.id}/").json()["licence"] is None
    assert api.get(f"/api/v1/applications/{application.id}/licence.pdf").status_code == 404

    run_scheduled()
    _, other_key = api_client_create(name="other")
    from rest_framework.test import APIClient

    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_key}")
    assert other.get(f"/api/v1/applications/{application.id}/licence.pdf").status_code == 404
    assert api.get(f"/api/v1/applications/{application.id}/licence.pdf").status_code == 200


def test_the_applicant_downloads_the_licence_from_the_status_page(libraries, citizens):
    applicant = user_create_with_role(username="applicant", password="a-long-test-password", role=Role.APPLICANT)
    application = submit(application_document(name="深圳市银杏科技有限公司"), applicant=applicant)
    run_scheduled()
    browser = Client()
    browser.force_login(applicant)

    page = browser.get(f"/applications/{application.id}/").content.decode()
    download = browser.get(f"/applications/{application.id}/licence.pdf")

    assert f'href="/applications/{application.id}/licence.pdf"' in page
    assert download.status_code == 200
    assert "深圳市银杏科技有限公司" in PdfReader(io.BytesIO(download.content)).pages[0].extract_text()
    stranger = user_create_with_role(username="stranger", password="a-long-test-password", role=Role.APPLICANT)
    browser.force_login(stranger)
    assert browser.get(f"/applications/{application.id}/licence.pdf").status_code == 404


def test_the_verify_page_speaks_english_on_request(libraries, citizens, integrator):
    body = _completed(integrator, "深圳市香樟科技有限公司")
    page = Client().get(urlsplit(body["licence"]["verify_url"]).path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Electronic business licence check" in page and "Valid" in page
