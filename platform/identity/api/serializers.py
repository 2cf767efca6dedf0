"""Input and output serializers of the verification endpoints (CONTRACT §7)."""

from rest_framework import serializers


class SendCodeInputSerializer(serializers.Serializer):
    phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="Optional when the application gave it."
    )


class CodeInputSerializer(serializers.Serializer):
    code = serializers.RegexField(
        r"^\d{6}$", error_messages={"invalid": "验证码为6位数字 / the code has 6 digits"}, max_length=6
    )


class FaceInputSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="The selfie: JPEG, PNG or WebP.")


class ConsentInputSerializer(serializers.Serializer):
    consent = serializers.BooleanField()


class _CodeStepSerializer(serializers.Serializer):
    sent = serializers.BooleanField()
    confirmed = serializers.BooleanField()
    expires_at = serializers.DateTimeField(allow_null=True)
    attempts_left = serializers.IntegerField(allow_null=True)
    resend_after = serializers.IntegerField(help_text="Seconds before another code may be requested.")


class _FaceStepSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["match", "review", "no_match"], allow_null=True)
    distance = serializers.FloatField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    attempts_left = serializers.IntegerField()


class _StepsSerializer(serializers.Serializer):
    code = _CodeStepSerializer()
    face = _FaceStepSerializer()
    consent = serializers.BooleanField()


class _PersonSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="Masked.")
    id_number = serializers.CharField(help_text="Masked.")
    phone = serializers.CharField(help_text="Masked; empty when not known yet.")
    phone_known = serializers.BooleanField()


class _RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=["legal_representative", "handler", "shareholder"])
    label = serializers.CharField()
    label_en = serializers.CharField()
    position = serializers.IntegerField()
    contribution = serializers.CharField(allow_null=True)


class _CompanySerializer(serializers.Serializer):
    name = serializers.CharField()
    address = serializers.CharField()
    business_scope = serializers.CharField()
    registered_capital = serializers.CharField()


class _ApplicationSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    filed_by_agent = serializers.CharField(allow_null=True)
    company = _CompanySerializer()


class VerificationStateSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=["pending", "verified", "failed", "expired"])
    next_step = serializers.ChoiceField(choices=["send_code", "enter_code", "face", "consent", "done", "closed"])
    failed_proof = serializers.ChoiceField(choices=["registry", "carrier", "code", "face"], allow_null=True)
    person = _PersonSerializer()
    application = _ApplicationSerializer()
    roles = _RoleSerializer(many=True, help_text="What the person consents to: their roles and contribution.")
    steps = _StepsSerializer()


class FaceStateSerializer(VerificationStateSerializer):
    outcome = serializers.ChoiceField(choices=["match", "review"])


class VerificationErrorSerializer(serializers.Serializer):
    message = serializers.CharField()
    reason = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
    outcome = serializers.CharField(required=False, help_text="Face step: no_match, no_face or multiple_faces.")


class VerificationSummarySerializer(serializers.Serializer):
    """One entry of an application's `verifications` (CONTRACT §7)."""

    id = serializers.UUIDField()
    role = serializers.ChoiceField(choices=["legal_representative", "handler", "shareholder"])
    position = serializers.IntegerField()
    roles = serializers.ListField(child=serializers.CharField(), help_text="Every role this person holds.")
    name = serializers.CharField(help_text="Masked.")
    status = serializers.ChoiceField(choices=["pending", "verified", "failed", "expired"])
    failed_proof = serializers.ChoiceField(choices=["registry", "carrier", "code", "face"], allow_null=True)
    link = serializers.CharField(help_text="The person's own page, /verify/<token>/.")
    verified_at = serializers.DateTimeField(allow_null=True)
