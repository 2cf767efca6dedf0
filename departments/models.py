"""Tables of the six simulated department systems.

Each department keeps its own register and its own log of processed work items. Nothing here is
shared with the platform: the platform only sees what the HTTP answers contain.

ID numbers, phone numbers and the request bodies that carry them are encrypted at rest with the
departments' own keys (``DEPARTMENTS_PII_KEY``, Fernet, first key encrypts and all decrypt), not
the platform's: they are another organisation, and in the embedded default they share the
platform's database, whose dump must hold no readable ID or phone number. The citizen registry is
searched by a blind index under their own HMAC key (``DEPARTMENTS_PII_INDEX_KEY``). With no keys
configured, development keys are derived from SECRET_KEY.
"""

import base64
import functools
import hashlib
import hmac
import json
from typing import Any

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup
from django.db.models.sql.compiler import SQLCompiler

from departments.validation import id_number_normalize, mask_id_number, mask_phone

# --- personal data at rest ------------------------------------------------------------------


def _derived_secret(label: bytes) -> bytes:
    # Development only: stable across processes and restarts, so `make run` needs no key.
    return hmac.new(settings.SECRET_KEY.encode(), label, hashlib.sha256).digest()


def pii_keys() -> tuple[str, ...]:
    configured = tuple(key.strip() for key in settings.DEPARTMENTS_PII_KEY if key.strip())
    if configured:
        return configured
    return (base64.urlsafe_b64encode(_derived_secret(b"onewindow departments encryption key (dev)")).decode(),)


@functools.lru_cache(maxsize=8)
def _keyring(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in keys])


def pii_encrypt(value: str) -> str:
    return _keyring(pii_keys()).encrypt(value.encode()).decode()


def pii_decrypt(token: str) -> str:
    return _keyring(pii_keys()).decrypt(token.encode()).decode()


def _index_key() -> bytes:
    configured = settings.DEPARTMENTS_PII_INDEX_KEY
    return configured.encode() if configured else _derived_secret(b"onewindow departments index key (dev)")


def keyed_digest(value: str) -> str:
    """HMAC-SHA256 (hex) under the departments' index key."""
    return hmac.new(_index_key(), value.encode(), hashlib.sha256).hexdigest()


def id_number_index(value: str) -> str:
    """The registry's blind index of an ID number (normalized first); "" for none."""
    number = id_number_normalize(value or "")
    return keyed_digest(number) if number else ""


class _IndexedExact(Lookup):
    """``encrypted = value`` compiled as ``index_column = keyed_hash(value)``."""

    lookup_name = "exact"
    prepare_rhs = False  # the value must reach as_sql in the clear, not encrypted

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, list[Any]]:
        target = getattr(self.lhs, "target", None)
        index_name = getattr(target, "blind_index", "")
        if not index_name or not isinstance(self.rhs, str):
            raise FieldError("an encrypted field can only be compared with a plain string, through its blind index")
        index_field = target.model._meta.get_field(index_name)
        lhs_sql, lhs_params = compiler.compile(index_field.get_col(self.lhs.alias))
        return f"{lhs_sql} = %s", [*lhs_params, id_number_index(self.rhs)]


class EncryptedTextField(models.TextField):
    """A string stored as a Fernet token under the departments' key; "" stays "".

    Only ``exact`` through a named blind index, and ``isnull``, can be looked up: any other lookup
    against random ciphertext would silently match nothing.
    """

    def __init__(self, *args: Any, blind_index: str = "", **kwargs: Any) -> None:
        self.blind_index = blind_index
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.blind_index:
            kwargs["blind_index"] = self.blind_index
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if value in (None, "") else pii_encrypt(value)

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return value if value in (None, "") else pii_decrypt(value)

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact" and self.blind_index:
            return _IndexedExact
        return None

    def get_transform(self, lookup_name: str) -> None:
        return None


class EncryptedJSONField(models.TextField):
    """A JSON document stored as one Fernet token (canonical JSON inside); read back as data."""

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return pii_encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return None if value is None else json.loads(pii_decrypt(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, lookup_name: str) -> None:
        return None


class EncryptedBinaryField(models.BinaryField):
    """Bytes (a picture) stored as one Fernet token under the departments' key."""

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return _keyring(pii_keys()).encrypt(bytes(value))

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return None if value is None else _keyring(pii_keys()).decrypt(bytes(value))

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None


class IdNumberIndexField(models.CharField):
    """The blind index of the ID number in field ``source``, recomputed on every save.

    A phone number has the same index (the keyed digest of its stripped, upper-cased text), so the
    carrier's phone columns use this field too.
    """

    def __init__(self, *args: Any, source: str, **kwargs: Any) -> None:
        self.source = source
        kwargs["max_length"] = 64
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs.pop("max_length", None)
        if kwargs.get("editable") is False:
            kwargs.pop("editable")
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = id_number_index(getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def masked_personal_data(value: Any) -> Any:
    """A request body for display: every ID and phone number in it masked."""
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            if key == "id_number" and isinstance(item, str):
                masked[key] = mask_id_number(item)
            elif key in ("phone", "mobile") and isinstance(item, str):
                masked[key] = mask_phone(item)
            else:
                masked[key] = masked_personal_data(item)
        return masked
    if isinstance(value, list):
        return [masked_personal_data(item) for item in value]
    return value


DEPARTMENT_CHOICES = [
    ("market_regulation", "市场监管 market regulation"),
    ("tax", "税务 tax"),
    ("public_security", "公安 public security"),
    ("social_security", "社保 social security"),
    ("housing_fund", "公积金 housing fund"),
    ("bank", "银行 bank"),
    ("carrier", "运营商 mobile carrier"),
]


class DepartmentConfig(models.Model):
    """The run-time switches of one simulator, read from the database on every request so that a
    change reaches every worker process at once."""

    department = models.CharField(max_length=32, choices=DEPARTMENT_CHOICES, unique=True)
    latency_ms_min = models.PositiveIntegerField()
    latency_ms_max = models.PositiveIntegerField()
    failure_rate = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "department config"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latency_ms_min__lte=models.F("latency_ms_max")),
                name="departments_config_latency_range",
            ),
            models.CheckConstraint(
                condition=models.Q(failure_rate__gte=0) & models.Q(failure_rate__lte=1),
                name="departments_config_failure_rate_range",
            ),
        ]

    def __str__(self) -> str:
        return self.department


class SeenNonce(models.Model):
    """The nonce of every signed request a department accepted, kept while its timestamp is still
    acceptable: a repeat of a captured request hits the unique constraint and is refused."""

    department = models.CharField(max_length=32, choices=DEPARTMENT_CHOICES)
    nonce = models.CharField(max_length=32)
    # The request's timestamp plus the accepted age: after this, the timestamp alone refuses it.
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "seen request nonce"
        constraints = [models.UniqueConstraint(fields=["department", "nonce"], name="departments_nonce_unique")]

    def __str__(self) -> str:
        return f"{self.department} {self.nonce}"


class ProcessedRequest(models.Model):
    """One work item a department received, with the answer it gave.

    The unique idempotency key is what makes a department call exactly-once in effect: a repeat
    (or a concurrent duplicate) finds this row and gets the original answer back.
    """

    idempotency_key = models.CharField(max_length=200)
    # Keyed hash of the canonical JSON of the body: a repeat with another body is a client bug
    # (409). Keyed, because the body holds ID numbers a plain hash would let anyone try.
    request_fingerprint = models.CharField(max_length=64)
    # It carries ID and phone numbers: encrypted. The answer carries none and is replayed as is.
    request_body = EncryptedJSONField()
    status_code = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["idempotency_key"], name="%(app_label)s_%(class)s_unique_key"),
            models.CheckConstraint(
                condition=models.Q(status_code__in=[201, 422]), name="%(app_label)s_%(class)s_final_status"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} -> {self.status_code}"


class MarketRegulationRequest(ProcessedRequest):
    class Meta(ProcessedRequest.Meta):
        verbose_name = "market regulation request"


class TaxRequest(ProcessedRequest):
    class Meta(ProcessedRequest.Meta):
        verbose_name = "tax request"


class PublicSecurityRequest(ProcessedRequest):
    class Meta(ProcessedRequest.Meta):
        verbose_name = "public security request"


class SocialSecurityRequest(ProcessedRequest):
    class Meta(ProcessedRequest.Meta):
        verbose_name = "social security request"


class HousingFundRequest(ProcessedRequest):
    class Meta(ProcessedRequest.Meta):
        verbose_name = "housing fund request"


class BankRequest(ProcessedRequest):
    class Meta(ProcessedRequest.Meta):
        verbose_name = "bank request"


# --- market regulation ----------------------------------------------------------------------
class MarketEnterprise(models.Model):
    """The market regulator's enterprise register.

    A name is unique at one registration authority (``region_code``, the division code that
    also goes into the credit code) among active companies, which the database enforces; a
    company cancelled less than a year ago still holds its name there (checked on registration).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "active"
        CANCELLED = "cancelled", "cancelled"

    application_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200, db_index=True)
    # Filled in right after the insert, from the primary key, so codes can never collide.
    credit_code = models.CharField(max_length=18, unique=True, null=True, blank=True)
    license_number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    region_code = models.CharField(max_length=6)
    address = models.CharField(max_length=500)
    business_scope = models.TextField()
    registered_capital = models.DecimalField(max_digits=18, decimal_places=2)
    employees = models.PositiveIntegerField()
    legal_representative_name = models.CharField(max_length=64)
    legal_representative_id_number = EncryptedTextField()
    registered_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "enterprise (market register)"
        ordering = ["-registered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["region_code", "name"],
                condition=models.Q(status="active"),
                name="departments_market_name_unique_per_authority",
            ),
            models.CheckConstraint(
                condition=models.Q(status="active", cancelled_at__isnull=True)
                | models.Q(status="cancelled", cancelled_at__isnull=False),
                name="departments_market_cancelled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MarketShareholder(models.Model):
    enterprise = models.ForeignKey(MarketEnterprise, on_delete=models.CASCADE, related_name="shareholders")
    name = models.CharField(max_length=200)
    id_number = EncryptedTextField()
    contribution = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        verbose_name = "shareholder (market register)"

    def __str__(self) -> str:
        return self.name


# --- tax ------------------------------------------------------------------------------------
class TaxRegistration(models.Model):
    application_id = models.CharField(max_length=64)
    taxpayer_id = models.CharField(max_length=18, unique=True)
    company_name = models.CharField(max_length=200)
    address = models.CharField(max_length=500)
    tax_authority = models.CharField(max_length=100)
    taxpayer_type = models.CharField(max_length=20)
    registered_capital = models.DecimalField(max_digits=18, decimal_places=2)
    invoice_type = models.CharField(max_length=50)
    invoice_monthly_count = models.PositiveIntegerField()
    invoice_max_amount = models.DecimalField(max_digits=18, decimal_places=2)
    legal_representative_name = models.CharField(max_length=64)
    legal_representative_phone = EncryptedTextField()
    registered_at = models.DateTimeField()

    class Meta:
        verbose_name = "tax registration"
        ordering = ["-registered_at"]

    def __str__(self) -> str:
        return f"{self.taxpayer_id} {self.company_name}"


# --- public security ------------------------------------------------------------------------
class Citizen(models.Model):
    """The simulated citizen identity registry (居民身份信息库)."""

    STATUS_CHOICES = [("valid", "valid"), ("revoked", "revoked"), ("deceased", "deceased")]

    # Found by the unique blind index; the number itself is encrypted.
    id_number = EncryptedTextField(blind_index="id_number_index")
    id_number_index = IdNumberIndexField(source="id_number", unique=True)
    name = models.CharField(max_length=64)
    phone = EncryptedTextField()
    status = models.CharField(max_length=10, choices=STATUS_CHOICES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "citizen"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["valid", "revoked", "deceased"]),
                name="departments_citizen_status_known",
            )
        ]

    def __str__(self) -> str:
        return mask_id_number(self.id_number)


class CitizenPhoto(models.Model):
    """The citizen's registry photo (the ID card portrait), encrypted at rest."""

    citizen = models.OneToOneField(Citizen, on_delete=models.CASCADE, related_name="photo")
    image = EncryptedBinaryField()
    content_type = models.CharField(max_length=20)  # image/jpeg | image/png
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "citizen photo"

    def __str__(self) -> str:
        return f"photo of {self.citizen}"


class SealOrder(models.Model):
    application_id = models.CharField(max_length=64)
    order_number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    # One initial seal set per company; a second order is refused.
    credit_code = models.CharField(max_length=18, unique=True)
    company_name = models.CharField(max_length=200)
    legal_representative_name = models.CharField(max_length=64)
    seals = models.JSONField()
    maker = models.CharField(max_length=100)
    ready_at = models.DateTimeField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "seal order"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.order_number} {self.company_name}"


# --- social security ------------------------------------------------------------------------
class SocialSecurityAccount(models.Model):
    application_id = models.CharField(max_length=64)
    account_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    credit_code = models.CharField(max_length=18, unique=True)
    company_name = models.CharField(max_length=200)
    office = models.CharField(max_length=100)
    employees = models.PositiveIntegerField()
    legal_representative_name = models.CharField(max_length=64)
    registered_at = models.DateTimeField()

    class Meta:
        verbose_name = "social security account"
        ordering = ["-registered_at"]

    def __str__(self) -> str:
        return f"{self.account_number} {self.company_name}"


# --- housing fund ---------------------------------------------------------------------------
class HousingFundAccount(models.Model):
    application_id = models.CharField(max_length=64)
    account_number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    credit_code = models.CharField(max_length=18, unique=True)
    company_name = models.CharField(max_length=200)
    center = models.CharField(max_length=100)
    employees = models.PositiveIntegerField()
    registered_at = models.DateTimeField()

    class Meta:
        verbose_name = "housing fund account"
        ordering = ["-registered_at"]

    def __str__(self) -> str:
        return f"{self.account_number} {self.company_name}"


# --- bank -----------------------------------------------------------------------------------
class BankAppointment(models.Model):
    application_id = models.CharField(max_length=64)
    appointment_number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    credit_code = models.CharField(max_length=18, unique=True)
    company_name = models.CharField(max_length=200)
    bank = models.CharField(max_length=50)
    branch = models.CharField(max_length=100)
    appointment_at = models.DateTimeField()
    # Each half-hour slot of a branch has a few counters; the constraint stops double booking
    # even when two workers pick the same free slot at once.
    counter = models.PositiveSmallIntegerField()
    contact_name = models.CharField(max_length=64)
    contact_phone = EncryptedTextField()
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "bank appointment"
        ordering = ["appointment_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "appointment_at", "counter"], name="departments_bank_slot_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.appointment_number} {self.branch}"


# --- mobile carrier -------------------------------------------------------------------------
class CarrierSubscriber(models.Model):
    """Who each phone number is registered to (手机号实名登记): the carrier's own register."""

    phone = EncryptedTextField(blind_index="phone_index")
    phone_index = IdNumberIndexField(source="phone", unique=True)
    name = models.CharField(max_length=64)
    id_number = EncryptedTextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "carrier subscriber"

    def __str__(self) -> str:
        return mask_phone(self.phone)


class CarrierMessage(models.Model):
    """An SMS the carrier delivered, in the simulated phone's inbox. The text holds one-time codes
    and the phone number is personal data: both encrypted."""

    phone = EncryptedTextField(blind_index="phone_index")
    phone_index = IdNumberIndexField(source="phone")
    text = EncryptedTextField()
    sent_at = models.DateTimeField()

    class Meta:
        verbose_name = "carrier SMS message"
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["phone_index", "-sent_at"], name="departments_sms_inbox")]

    def __str__(self) -> str:
        return f"SMS to {mask_phone(self.phone)}"
