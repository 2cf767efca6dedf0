"""Tables of the six simulated department systems.

Each department keeps its own register and its own log of processed work items. Nothing here is
shared with the platform: the platform only sees what the HTTP answers contain.
"""

from django.db import models

DEPARTMENT_CHOICES = [
    ("market_regulation", "市场监管 market regulation"),
    ("tax", "税务 tax"),
    ("public_security", "公安 public security"),
    ("social_security", "社保 social security"),
    ("housing_fund", "公积金 housing fund"),
    ("bank", "银行 bank"),
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


class ProcessedRequest(models.Model):
    """One work item a department received, with the answer it gave.

    The unique idempotency key is what makes a department call exactly-once in effect: a repeat
    (or a concurrent duplicate) finds this row and gets the original answer back.
    """

    idempotency_key = models.CharField(max_length=200)
    # sha256 of the canonical JSON of the body: a repeat with another body is a client bug (409).
    request_fingerprint = models.CharField(max_length=64)
    request_body = models.JSONField()
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
    """The market regulator's enterprise register. The name is unique: that is the refusal."""

    application_id = models.CharField(max_length=64)
    name = models.CharField(max_length=200, unique=True)
    # Filled in right after the insert, from the primary key, so codes can never collide.
    credit_code = models.CharField(max_length=18, unique=True, null=True, blank=True)
    license_number = models.CharField(max_length=32, unique=True, null=True, blank=True)
    region_code = models.CharField(max_length=6)
    address = models.CharField(max_length=500)
    business_scope = models.TextField()
    registered_capital = models.DecimalField(max_digits=18, decimal_places=2)
    employees = models.PositiveIntegerField()
    legal_representative_name = models.CharField(max_length=64)
    legal_representative_id_number = models.CharField(max_length=18)
    registered_at = models.DateTimeField()

    class Meta:
        verbose_name = "enterprise (market register)"
        ordering = ["-registered_at"]

    def __str__(self) -> str:
        return self.name


class MarketShareholder(models.Model):
    enterprise = models.ForeignKey(MarketEnterprise, on_delete=models.CASCADE, related_name="shareholders")
    name = models.CharField(max_length=200)
    id_number = models.CharField(max_length=18)
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
    legal_representative_phone = models.CharField(max_length=11)
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

    id_number = models.CharField(max_length=18, unique=True)
    name = models.CharField(max_length=64)
    phone = models.CharField(max_length=11)
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
        return f"{self.id_number[:6]}********{self.id_number[-4:]}"


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
    contact_phone = models.CharField(max_length=11)
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
