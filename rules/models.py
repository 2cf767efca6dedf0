"""Versioned reference lists behind the rule libraries.

Each list kind (name_words, enterprises, ...) has numbered versions that go draft -> published
-> archived. At most one version per kind is published at a time, which the database enforces
with a partial unique index. Entries belong to a version and carry an indexed lookup key (the
normalized form the libraries probe) and an indexed reference (the entry's own identifier, such
as a credit code or address code), plus the row itself as JSON.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class ListVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"
        ARCHIVED = "archived", "archived"

    # No choices here on purpose: list kinds are a code-level registry (rules.lists), and a new
    # kind must not need a migration.
    kind = models.CharField(max_length=40)
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Process caches key on this token, not on the primary key: a primary key can be reused
    # after a rollback (SQLite) or a database reset, a fresh UUID never is.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry_count = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "number"], name="rules_version_kind_number_unique"),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(status="published"),
                name="rules_version_one_published_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "published", "archived"]),
                name="rules_version_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="rules_version_published_has_timestamp",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} v{self.number} ({self.status})"


class ListEntry(models.Model):
    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="entries")
    # Physical line in the imported file, so an administrator can find the row again.
    line = models.PositiveIntegerField()
    key = models.CharField(max_length=255)
    ref = models.CharField(max_length=255, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["version", "line"]
        indexes = [
            models.Index(fields=["version", "key"], name="rules_entry_version_key"),
            models.Index(fields=["version", "ref"], name="rules_entry_version_ref"),
        ]

    def __str__(self) -> str:
        # Entries may hold ID numbers; the string form stays free of row data.
        return f"entry at line {self.line}"


class RegisteredEnterprise(models.Model):
    """An enterprise registered live by market regulation, on top of the published list."""

    name = models.CharField(max_length=255)
    name_key = models.CharField(max_length=255, db_index=True)
    credit_code = models.CharField(max_length=18, unique=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-registered_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"
