"""Proof of presence against the simulated systems, over real HTTP to the live server: registry
photos in the citizens import, public security's face comparison, and the mobile carrier's
three-factor check and SMS, through the platform's ports (exchange.presence)."""

import base64
import io
import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from PIL import Image, ImageOps
from stdnum.cn import ric

from departments.models import CarrierMessage, CarrierSubscriber, Citizen, CitizenPhoto
from exchange.models import ExchangeRecord
from exchange.presence import (
    CarrierVerdict,
    FaceImageInvalid,
    carrier_verify,
    face_compare,
    sms_inbox,
    sms_send,
)
from exchange.services import DepartmentUnavailable, department_post
from intake.demo_photos import demo_photos_write, encoded
from tests.fake_camera import no_face, other_face, registered_face

pytestmark = pytest.mark.django_db(transaction=True)


def _number(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


ASTRONAUT = {"name": "柯林斯", "id_number": _number("31011519880412123"), "phone": "13611112222"}
HOPPER = {"name": "霍珀", "id_number": _number("44030719850101456"), "phone": "13722223333"}
NO_PHOTO = {"name": "周无照", "id_number": _number("44030519900307002"), "phone": "13833334444"}
PERSONAL = [value for person in (ASTRONAUT, HOPPER, NO_PHOTO) for value in person.values()]


@pytest.fixture
def over_http(live_server, settings):
    """The platform reaches the simulators through a real socket at the live server."""
    settings.DEPARTMENTS_URL = f"{live_server.url}/departments/"
    return live_server


@pytest.fixture
def photos(tmp_path):
    return demo_photos_write(directory=tmp_path / "photos")


def _import(tmp_path, rows: list[str], *, header: str = "id_number,name,phone,status,photo") -> tuple[str, str]:
    path = tmp_path / "citizens.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_library", "citizens", str(path), stdout=out, stderr=err)
    except CommandError as error:
        return "", err.getvalue() + str(error)
    return out.getvalue(), err.getvalue()


def _row(person: dict, photo: str = "") -> str:
    return f"{person['id_number']},{person['name']},{person['phone']},valid,{photo}"


@pytest.fixture
def registry(over_http, tmp_path, photos):
    out, err = _import(
        tmp_path,
        [_row(ASTRONAUT, "photos/astronaut.png"), _row(HOPPER, "photos/grace_hopper.jpg"), _row(NO_PHOTO)],
    )
    assert out.startswith("citizens: 3 entries"), err


def _jpeg(image: Image.Image) -> bytes:
    return encoded(image, format="JPEG")


# --- registry photos --------------------------------------------------------------------------
def test_photos_are_imported_encrypted_at_rest(registry, photos):
    stored = CitizenPhoto.objects.get(citizen__id_number_index=Citizen.objects.get(name="柯林斯").id_number_index)
    assert bytes(stored.image) == photos["astronaut"].read_bytes()
    assert stored.content_type == "image/png"
    assert CitizenPhoto.objects.count() == 2  # the third citizen has none
    with connection.cursor() as cursor:
        cursor.execute("SELECT image FROM departments_citizenphoto")
        raw = [bytes(row[0]) for row in cursor.fetchall()]
    assert len(raw) == 2
    for blob in raw:
        assert blob.startswith(b"gAAAAA")  # a Fernet token (base64 text), not a picture
        assert b"\x89PNG\r\n" not in blob and b"\xff\xd8\xff" not in blob


def test_a_row_without_a_photo_keeps_the_photo_the_citizen_has(registry, tmp_path):
    out, err = _import(tmp_path, [_row(ASTRONAUT)])
    assert out.startswith("citizens: 1 entries"), err
    assert CitizenPhoto.objects.count() == 2


def test_bad_photos_are_reported_by_line_and_nothing_is_imported(over_http, tmp_path, photos):
    (tmp_path / "photos" / "notes.jpg").write_text("this is not a picture", encoding="utf-8")
    # A real picture, just too large: uncompressed, 1400 x 1400 x 3 bytes is 5.9 MB.
    Image.new("RGB", (1400, 1400), (200, 30, 30)).save(tmp_path / "photos" / "huge.png", compress_level=0)
    assert (tmp_path / "photos" / "huge.png").stat().st_size > 5 * 1024 * 1024
    out, err = _import(
        tmp_path,
        [
            _row(ASTRONAUT, "photos/astronaut.png"),  # line 2: fine
            _row(HOPPER, "photos/missing.jpg"),  # line 3: no such file
            _row(NO_PHOTO, "photos/notes.jpg"),  # line 4: not an image
            f"{_number('11010519850312001')},张伟,13800138000,valid,photos/huge.png",  # line 5: too large
        ],
    )
    assert out == ""
    lines = {line.split(":")[1]: line for line in err.splitlines() if "citizens.csv:" in line}
    assert set(lines) == {"3", "4", "5"}
    assert "photo file does not exist" in lines["3"]
    assert "not a JPEG or PNG image" in lines["4"]
    assert "larger than 5 MB" in lines["5"]
    assert "nothing was imported" in err
    assert Citizen.objects.count() == CitizenPhoto.objects.count() == CarrierSubscriber.objects.count() == 0


def test_the_old_csv_only_form_still_imports_and_a_photo_column_without_files_is_refused(over_http, tmp_path):
    out, err = _import(tmp_path, [_row(ASTRONAUT)[: -len(",")]], header="id_number,name,phone,status")
    assert out.startswith("citizens: 1 entries"), err
    out, err = _import(tmp_path, [_row(HOPPER, "elsewhere/none.png")])
    assert "citizens.csv:2:" in err and "photo file does not exist" in err
    assert Citizen.objects.count() == 1


# --- face comparison --------------------------------------------------------------------------
def test_the_same_face_matches(registry):
    mirrored = ImageOps.mirror(registered_face())
    verdict = face_compare(id_number=ASTRONAUT["id_number"], image=_jpeg(mirrored))
    assert verdict.outcome == "match"
    assert verdict.distance is not None and verdict.distance < 0.4
    assert verdict.threshold == 0.6


def test_a_shifted_smaller_crop_of_the_same_face_matches(registry):
    crop = registered_face().crop((40, 0, 512, 470)).resize((360, 358))
    verdict = face_compare(id_number=ASTRONAUT["id_number"], image=_jpeg(crop))
    assert verdict.outcome == "match"
    assert verdict.distance < 0.4


def test_another_persons_face_does_not_match(registry):
    verdict = face_compare(id_number=ASTRONAUT["id_number"], image=_jpeg(other_face()))
    assert verdict.outcome == "no_match"
    assert verdict.distance >= 0.6
    # And the other way round: Grace Hopper's registry photo against the astronaut.
    assert face_compare(id_number=HOPPER["id_number"], image=_jpeg(registered_face())).outcome == "no_match"
    assert face_compare(id_number=HOPPER["id_number"], image=_jpeg(other_face())).outcome == "match"


def test_a_picture_without_a_face(registry):
    verdict = face_compare(id_number=ASTRONAUT["id_number"], image=encoded(no_face()))
    assert (verdict.outcome, verdict.distance) == ("no_face", None)


def test_two_faces_in_the_selfie(registry):
    both = Image.new("RGB", (1150, 620), (128, 128, 128))
    both.paste(registered_face(), (0, 50))
    both.paste(other_face(), (560, 0))
    assert face_compare(id_number=ASTRONAUT["id_number"], image=_jpeg(both)).outcome == "multiple_faces"


def test_no_registry_photo(registry):
    assert face_compare(id_number=NO_PHOTO["id_number"], image=_jpeg(registered_face())).outcome == "no_photo"
    unknown = _number("44030519900307003")
    assert face_compare(id_number=unknown, image=_jpeg(registered_face())).outcome == "no_photo"


def test_a_non_image_is_refused_with_a_clear_message(registry):
    with pytest.raises(FaceImageInvalid) as caught:
        face_compare(id_number=ASTRONAUT["id_number"], image=b"%PDF-1.4 not a picture")
    assert caught.value.problem == "not_image"
    assert "JPEG" in str(caught.value) and "照片" in str(caught.value)
    # A GIF is an image, but not one the registry takes.
    gif = io.BytesIO()
    registered_face().save(gif, format="GIF")
    with pytest.raises(FaceImageInvalid):
        face_compare(id_number=ASTRONAUT["id_number"], image=gif.getvalue())


def test_an_oversized_image_is_a_400_from_public_security_itself(registry):
    # Past the port's own check, straight to the endpoint: a 20 MB picture gets a clear 400.
    image = b"\x89PNG\r\n\x1a\n" + b"\0" * (20 * 1024 * 1024)
    response = department_post(
        department="public_security",
        endpoint="citizens/face-compare/",
        payload={"id_number": ASTRONAUT["id_number"], "image": base64.b64encode(image).decode()},
        application_id=None,
        record=False,
    ).response
    assert response.status_code == 400
    assert response.json()["problem"] == "too_large"
    assert "larger than 5 MB" in response.json()["errors"]["image"][0]
    with pytest.raises(FaceImageInvalid) as caught:
        face_compare(id_number=ASTRONAUT["id_number"], image=image)
    assert caught.value.problem == "too_large"


def test_a_small_file_of_too_many_pixels_is_refused_before_decoding(registry):
    # 8000 x 6000 one-bit pixels compress to a few kilobytes but would decode to 144 MB of RGB.
    buffer = io.BytesIO()
    Image.new("1", (8000, 6000), 1).save(buffer, format="PNG")
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(FaceImageInvalid) as caught:
        face_compare(id_number=ASTRONAUT["id_number"], image=buffer.getvalue())
    assert caught.value.problem == "too_many_pixels"


def test_the_face_endpoint_needs_the_public_security_token(registry, over_http):
    import httpx

    response = httpx.post(
        f"{over_http.url}/departments/public_security/citizens/face-compare/",
        json={"id_number": ASTRONAUT["id_number"], "image": ""},
    )
    assert response.status_code == 401


# --- the carrier ------------------------------------------------------------------------------
def test_carrier_three_factor_verdicts(registry):
    assert carrier_verify(**ASTRONAUT) == CarrierVerdict(matches=True, reason=None)
    assert carrier_verify(**{**ASTRONAUT, "name": "柯林"}) == CarrierVerdict(False, "name_mismatch")
    assert carrier_verify(**{**ASTRONAUT, "id_number": HOPPER["id_number"]}) == CarrierVerdict(False, "id_mismatch")
    assert carrier_verify(**{**ASTRONAUT, "phone": "13999999999"}) == CarrierVerdict(False, "not_registered")
    # The lowercase check character x is the same ID number.
    assert carrier_verify(**{**HOPPER, "id_number": HOPPER["id_number"].lower()}).matches is True


def test_a_reassigned_phone_belongs_to_its_new_holder(registry, tmp_path):
    _import(tmp_path, [f"{NO_PHOTO['id_number']},{NO_PHOTO['name']},{ASTRONAUT['phone']},valid,"])
    assert carrier_verify(**ASTRONAUT).reason == "name_mismatch"
    assert carrier_verify(**{**NO_PHOTO, "phone": ASTRONAUT["phone"]}).matches is True


def test_sms_are_delivered_to_the_inbox_newest_first(registry):
    sms_send(phone=ASTRONAUT["phone"], text="【一窗通】验证码 482913，5分钟内有效。")
    sms_send(phone=ASTRONAUT["phone"], text="【一窗通】请打开链接完成核验")
    sms_send(phone=HOPPER["phone"], text="someone else's")
    inbox = sms_inbox(phone=ASTRONAUT["phone"])
    texts = [message.text for message in inbox]
    assert texts == ["【一窗通】请打开链接完成核验", "【一窗通】验证码 482913，5分钟内有效。"]
    assert inbox[0].sent_at >= inbox[1].sent_at
    assert [m.text for m in sms_inbox(phone=ASTRONAUT["phone"], limit=1)] == ["【一窗通】请打开链接完成核验"]
    assert sms_inbox(phone="13900000001") == []
    # The store holds neither the number nor the text in the clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, text FROM departments_carriermessage")
        stored = " ".join(" ".join(row) for row in cursor.fetchall())
    assert ASTRONAUT["phone"] not in stored and "482913" not in stored
    assert CarrierMessage.objects.count() == 3


def test_sms_inbox_command_prints_newest_first_one_per_line(registry):
    sms_send(phone=HOPPER["phone"], text="first\nof two lines")
    sms_send(phone=HOPPER["phone"], text="second")
    out = io.StringIO()
    call_command("sms_inbox", HOPPER["phone"], stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("  second") and lines[1].endswith("  first of two lines")
    with pytest.raises(CommandError, match="11-digit") as caught:
        call_command("sms_inbox", "1361111222x", stdout=io.StringIO())
    assert "1361111222" not in str(caught.value)


def test_carrier_refuses_bad_input_without_echoing_it(registry):
    response = department_post(
        department="carrier",
        endpoint="subscribers/verify/",
        payload={"phone": "23611112222", "name": "", "id_number": "310115198804121230"},
        application_id=None,
        record=False,
    ).response
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"phone", "name", "id_number"}
    assert "23611112222" not in response.text and "310115198804121230" not in response.text


def test_the_carrier_takes_no_work_items(registry):
    response = department_post(
        department="carrier", endpoint="requests/", payload={}, application_id=None, idempotency_key="k", record=False
    ).response
    assert response.status_code == 404


def test_an_unreachable_carrier_is_department_unavailable(db, settings):
    settings.DEPARTMENTS_URL = "http://127.0.0.1:9/departments/"  # the discard port: nothing listens
    with pytest.raises(DepartmentUnavailable):
        carrier_verify(**ASTRONAUT)
    with pytest.raises(DepartmentUnavailable):
        face_compare(id_number=ASTRONAUT["id_number"], image=_jpeg(registered_face()))


# --- personal data ----------------------------------------------------------------------------
def test_nothing_personal_in_logs_or_the_exchange_log(registry, caplog):
    caplog.set_level(logging.DEBUG)
    code_text = "【一窗通】验证码 731942"
    carrier_verify(**ASTRONAUT)
    carrier_verify(**{**ASTRONAUT, "name": "别人"})
    sms_send(phone=ASTRONAUT["phone"], text=code_text)
    sms_inbox(phone=ASTRONAUT["phone"])
    face_compare(id_number=ASTRONAUT["id_number"], image=_jpeg(registered_face()))
    with pytest.raises(FaceImageInvalid):
        face_compare(id_number=ASTRONAUT["id_number"], image=b"not an image")
    logged = caplog.text
    assert "face comparison: match" in logged  # the logs do speak: outcomes only
    for value in [*PERSONAL, "731942", "别人"]:
        assert value not in logged, value
    records = ExchangeRecord.objects.filter(department__in=["carrier", "public_security"])
    assert records.count() >= 5
    flattened = " ".join(f"{r.endpoint} {r.fields} {r.error}" for r in records)
    assert "image" in flattened and "phone" in flattened
    for value in [*PERSONAL, "731942"]:
        assert value not in flattened, value
