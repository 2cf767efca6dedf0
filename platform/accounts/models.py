import hashlib

from django.db import models

from privacy.fields import EncryptedTextField


class Role(models.TextChoices):
    """Roles are Django groups with these names; the server checks membership, never the UI."""

    APPLICANT = "applicant", "申请人 / Applicant"
    REVIEWER = "reviewer", "审核员 / Reviewer"
    DEPARTMENT_ADMIN = "department_admin", "部门管理员 / Department administrator"
    OPERATOR = "operator", "运营人员 / Operator"
    # An intermediary (代办机构) filing for companies it does not belong to; it is their handler.
    AGENT = "agent", "代办机构 / Filing agent"


class ApiClient(models.Model):
    """An integrator calling the REST API. Only a hash of the key is stored."""

    name = models.CharField(max_length=100, unique=True)
    key_prefix = models.CharField(max_length=8, help_text="First characters of the key, to tell keys apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(default=True)
    # A channel that checks people face to face (a bank branch, a service hall): its
    # applications skip the SMS and face steps of the proof of presence. Never the default.
    attests_presence = models.BooleanField(
        default=False,
        help_text="Trusted to verify people in person: its applications skip the SMS and face steps.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "API client"

    def __str__(self) -> str:
        return self.name

    # DRF's IsAuthenticated asks the authenticated principal this.
    @property
    def is_authenticated(self) -> bool:
        return True

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class ApplicantProfile(models.Model):
    """The real-name identity behind an applicant's login, used to prefill the form (无填报)."""

    user = models.OneToOneField("auth.User", on_delete=models.CASCADE, related_name="applicant_profile")
    name = models.CharField(max_length=50)
    # Encrypted at rest like every other ID and phone number.
    id_number = EncryptedTextField()
    phone = EncryptedTextField()

    def __str__(self) -> str:
        return self.name
