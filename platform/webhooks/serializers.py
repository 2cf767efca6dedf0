"""Input and output of the webhook API (CONTRACT §6)."""

from rest_framework import serializers

from webhooks.events import EventType
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


class EndpointInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), allow_empty=False, max_length=len(EventType.values)
    )


class EndpointOutputSerializer(serializers.ModelSerializer):
    enabled = serializers.BooleanField(source="is_enabled", read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices), read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "enabled", "disabled_reason", "created_at"]


class EndpointCreatedSerializer(EndpointOutputSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret (whsec_…), shown only in this answer.")

    class Meta(EndpointOutputSerializer.Meta):
        fields = ["id", "url", "events", "secret", "enabled", "disabled_reason", "created_at"]


class SecretOutputSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new signing secret (whsec_…), shown only in this answer.")
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until then deliveries carry a signature with the old secret as well."
    )


class AttemptOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "duration_ms", "error"]


class DeliveryOutputSerializer(serializers.ModelSerializer):
    webhook_id = serializers.CharField(source="message_id", read_only=True)
    type = serializers.CharField(source="event_type", read_only=True)
    attempt_log = AttemptOutputSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "webhook_id",
            "type",
            "application_id",
            "status",
            "attempts",
            "last_status_code",
            "next_attempt_at",
            "delivered_at",
            "created_at",
            "attempt_log",
        ]
