"""Input and output serializers for the application document (CONTRACT §4–5)."""

from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Application, Check, WorkItem
from exchange.selectors import data_shared_with_departments
from identity.api.serializers import VerificationSummarySerializer
from identity.selectors import agent_principals, verification_summary, verifications_for_application
from licences.selectors import licence_reference
from rules.identifiers import MOBILE_NUMBER_PATTERN
from rules.names_charset import disallowed_characters
from workflow.resend import work_item_failure_kind

id_number_format = RegexValidator(
    r"^\d{17}[\dXx]$", "身份证号码应为18位，最后一位可为数字或X / an ID number has 18 characters, the last may be X"
)
mobile_format = RegexValidator(
    MOBILE_NUMBER_PATTERN, "手机号码应为11位 / a mobile number has 11 digits starting with 1"
)


class PersonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, validators=[id_number_format])
    phone = serializers.CharField(max_length=11, validators=[mobile_format])

    def validate_id_number(self, value: str) -> str:
        return value.upper()


class ShareholderInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    id_number = serializers.CharField(max_length=18, validators=[id_number_format])
    contribution = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal("0.01"))
    # Optional (CONTRACT §4): without it, the verification page asks the shareholder for it.
    phone = serializers.CharField(max_length=11, validators=[mobile_format], required=False, allow_blank=True)

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("phone"):
            attrs.pop("phone", None)
        return attrs

    def validate_id_number(self, value: str) -> str:
        return value.upper()


def company_name_characters(value: str) -> None:
    """Only the characters a registered name may contain (rules.names_charset): the names library
    refuses the rest as well, this says so next to the field before anything is stored."""
    bad = disallowed_characters(value)
    if bad:
        shown = "、".join(f"U+{ord(ch):04X}" for _, ch in bad[:5])
        raise serializers.ValidationError(
            f"企业名称含有不得使用的字符（{shown}），只能使用汉字、字母、数字和（）()·、等标点 / "
            f"the name contains characters a registered name may not use ({shown})"
        )


class CompanyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, validators=[company_name_characters])
    address = serializers.CharField(max_length=200)
    business_scope = serializers.CharField(max_length=2000)
    registered_capital = serializers.DecimalField(max_digits=16, decimal_places=2, min_value=Decimal("0.01"))
    employees = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False, default=0)
    name_reservation = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        help_text="The reference of the applicant's name reservation (POST /api/v1/name-reservations/), if any.",
    )


class ApplicationInputSerializer(serializers.Serializer):
    company = CompanyInputSerializer()
    legal_representative = PersonInputSerializer()
    handler = PersonInputSerializer(required=False, allow_null=True)
    shareholders = ShareholderInputSerializer(many=True, allow_empty=False)
    departments = serializers.ListField(
        child=serializers.ChoiceField(choices=settings.DEPARTMENT_CODES),
        required=False,
        allow_empty=True,
        max_length=len(settings.DEPARTMENT_CODES),
    )

    def to_internal_value(self, data: object) -> dict:
        # Counted before a single shareholder is validated: 10,000 of them must cost nothing.
        shareholders = data.get("shareholders") if isinstance(data, Mapping) else None
        limit = settings.APPLICATION_MAX_SHAREHOLDERS
        if isinstance(shareholders, list) and len(shareholders) > limit:
            raise serializers.ValidationError(
                {"shareholders": [f"股东最多 {limit} 名 / at most {limit} shareholders in one application"]}
            )
        return super().to_internal_value(data)

    def validate_departments(self, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise serializers.ValidationError("部门重复 / a department is listed twice")
        return value

    def validate(self, attrs: dict) -> dict:
        # market_regulation is always included: it issues the credit code the others need.
        wanted = set(attrs.get("departments") or settings.DEPARTMENT_CODES) | {"market_regulation"}
        attrs["departments"] = [code for code in settings.DEPARTMENT_CODES if code in wanted]
        if not attrs.get("handler"):
            attrs.pop("handler", None)
        return attrs


class CheckOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = Check
        fields = ["library", "status", "outcome", "versions", "findings"]


class WorkItemOutputSerializer(serializers.ModelSerializer):
    failure = serializers.SerializerMethodField(
        help_text="Why a failed department failed: upstream (its upstream department failed), refused "
        "(the department said no) or unavailable (unreachable until the retries ran out); null otherwise."
    )

    class Meta:
        model = WorkItem
        fields = ["department", "status", "result", "error", "failure", "attempts", "started_at", "finished_at"]

    def get_failure(self, item: WorkItem) -> str | None:
        return work_item_failure_kind(status=item.status, error=item.error)

    def to_representation(self, item: WorkItem) -> dict:
        data = super().to_representation(item)
        if isinstance(data.get("result"), dict) and "licence_token" in data["result"]:
            # The licence's signed token is the application's `licence.verify_url`; a department
            # line shows what the department decided, not the QR code's content.
            data["result"] = {key: value for key, value in data["result"].items() if key != "licence_token"}
        return data


class LicenceReferenceSerializer(serializers.Serializer):
    number = serializers.CharField()
    verify_url = serializers.URLField()


class ApplicationOutputSerializer(serializers.ModelSerializer):
    checks = CheckOutputSerializer(many=True, read_only=True)
    departments = WorkItemOutputSerializer(many=True, read_only=True, source="work_items")
    company = serializers.SerializerMethodField()
    data_shared = serializers.SerializerMethodField(help_text="Who received this application's data, and which fields.")
    corrects = serializers.UUIDField(source="corrects_id", read_only=True, allow_null=True)
    licence = serializers.SerializerMethodField(
        help_text="The electronic business licence once market regulation issued it: number and verify_url."
    )
    verifications = serializers.SerializerMethodField(
        help_text="One per natural person in a signing role (CONTRACT §7); "
        "empty when a trusted channel attested presence."
    )
    filed_for = serializers.SerializerMethodField(
        help_text="When an agent (代办机构) filed: the principals it filed for, masked, with their roles."
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "status",
            "outcome",
            "credit_code",
            "licence",
            "company",
            "created_at",
            "decided_at",
            "completed_at",
            "corrects",
            "checks",
            "departments",
            "data_shared",
            "verifications",
            "filed_for",
        ]

    @extend_schema_field(LicenceReferenceSerializer(allow_null=True))
    def get_licence(self, application: Application) -> dict | None:
        return licence_reference(application=application)

    @extend_schema_field(VerificationSummarySerializer(many=True))
    def get_verifications(self, application: Application) -> list[dict]:
        stage = getattr(application, "presence", None)
        if stage is not None and stage.attested_by_id is not None:
            return []  # a trusted channel attested presence: nobody had to verify
        return [verification_summary(v) for v in verifications_for_application(application=application)]

    def get_filed_for(self, application: Application) -> dict | None:
        stage = getattr(application, "presence", None)
        if stage is None or stage.agent_id is None:
            return None
        account = getattr(stage.agent, "agent_account", None)
        return {
            "agent": account.organisation if account else stage.agent.get_username(),
            "principals": agent_principals(application=application),
        }

    def get_data_shared(self, application: Application) -> list[dict]:
        return data_shared_with_departments(application_id=application.id)

    def get_company(self, application: Application) -> dict:
        return {
            "name": application.company_name,
            "address": application.address,
            "business_scope": application.business_scope,
            "registered_capital": f"{application.registered_capital:.2f}",
            "employees": application.employees,
        }
