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
        # Nanshan's companies are registered by the city bureau's Nanshan branch.
        "深圳市市场监督管理局南山监管局",
        licence["number"],
        "成立日期",
        "登记机关",
    ):
        assert expected in text, expected
    market = next(d for d in body["departments"] if d["department"] == "market_regulation")
    established = market["result"]["established_on"]
    assert f"{established[:4]}年{established[5:7]}月{established[8:10]}日" in text
    # The token is the licence's (its verify_url), not a line of the department's result.
    assert "licence_token" not in market["result"]
    # Only what a printed licence shows: no ID or phone number.
    assert CLEAN_PERSON["id_number"] not in text and CLEAN_PERSON["phone"] not in text

    (scanned,) = _qr_texts(pdf)
    assert scanned == licence["verify_url"]
    token = urlsplit(scanned).path.rsplit("/", 1)[1]
    published = Client().get("/verify/licence/public-key").json()
    # The platform republishes exactly the key the authority publishes.
    authority = Client().get("/departments/market_regulation/licences/public-key/").json()
    assert published["public_key"] == authority["public_key"]
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


def test_a_cancelled_company_s_licence_is_no_longer_valid(libraries, citizens, integrator):
    body = _completed(integrator, "深圳市紫荆科技有限公司")

    cancelled = department_client().post(
        f"market_regulation/enterprises/{body['credit_code']}/cancel/",
        json={},
        auth=DepartmentAuth("market_regulation"),
    )

    assert cancelled.status_code == 200, cancelled.text
    page = _verify_page(body["licence"]["verify_url"])
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-verdict="revoked"' in html and "已注销" in html and "吊销" not in html


def test_the_pdf_is_served_to_a_client_that_asks_for_a_pdf(libraries, citizens, integrator):
    client, api = integrator
    application = submit(application_document(name="深圳市海桐科技有限公司"), api_client=client)

    early = api.get(f"/api/v1/applications/{application.id}/licence.pdf", HTTP_ACCEPT="application/pdf")
    run_scheduled()
    issued = api.get(f"/api/v1/applications/{application.id}/licence.pdf", HTTP_ACCEPT="application/pdf")

    assert early.status_code == 404 and early.json() == {"message": "no licence has been issued for this application"}
    assert issued.status_code == 200 and issued["Content-Type"] == "application/pdf"
    assert issued.content.startswith(b"%PDF-")


@pytest.fixture
def fresh_published_key():
    """Forgets the key this process read from the authority (it keeps it once read)."""
    from licences import tokens

    tokens._published_key.cache_clear()
    yield tokens._published_key.cache_clear
    tokens._published_key.cache_clear()


def test_the_verify_page_says_so_when_the_authority_cannot_be_asked(
    libraries, citizens, integrator, settings, fresh_published_key
):
    body = _completed(integrator, "深圳市凤凰木科技有限公司")
    key = Client().get("/verify/licence/public-key").json()["public_key"]
    settings.DEPARTMENTS_URL = "http://127.0.0.1:9/departments/"  # nothing listens there

    # With the key configured, the signature is still checked offline; the standing is not known.
    settings.LICENCE_AUTHORITY_PUBLIC_KEY = key
    offline = _verify_page(body["licence"]["verify_url"])
    assert offline.status_code == 200
    assert 'data-verdict="signature_valid"' in offline.content.decode()

    # Without it, a process that has not read the key yet cannot have it: not "unknown" (that
    # would call a genuine licence fake).
    settings.LICENCE_AUTHORITY_PUBLIC_KEY = ""
    fresh_published_key()
    unreachable = _verify_page(body["licence"]["verify_url"])
    assert unreachable.status_code == 503
    assert 'data-verdict="unavailable"' in unreachable.content.decode()
    assert Client().get("/verify/licence/public-key").status_code == 503


def test_the_openapi_document_describes_the_licence_pdf():
    from rest_framework.test import APIClient

    schema = APIClient().get("/api/schema/", HTTP_ACCEPT="application/json").json()

    operation = schema["paths"]["/api/v1/applications/{application_id}/licence.pdf"]["get"]
    assert operation["responses"]["200"]["content"]["application/pdf"]["schema"]["format"] == "binary"
    assert "404" in operation["responses"]
    application = schema["components"]["schemas"]["ApplicationOutput"]["properties"]
    assert "licence" in application


def test_a_long_business_scope_shrinks_then_continues_overleaf_and_the_qr_stays_on_page_one():
    from decimal import Decimal

    from licences.pdf import licence_pdf_render
    from licences.selectors import Licence

    scope = "；".join(f"第{n}项经营活动" for n in range(1, 301))  # about 2,000 characters
    licence = Licence(
        number="440305000000017",
        token="e30.c2lnbmF0dXJl",
        name="深圳市长青科技有限公司",
        credit_code="91440300MA5G00001W",
        entity_type="有限责任公司",
        registered_capital=Decimal("1000000.00"),
        legal_representative="张三",
        established_on="2026-12-01",
        address="深圳市南山区科苑路15号",
        business_scope=scope,
        registration_authority="深圳市市场监督管理局南山监管局",
    )

    pdf = licence_pdf_render(licence=licence)

    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "第1项经营活动" in text and "第300项经营活动" in text
    assert _qr_texts(pdf) == [licence.verify_url]
