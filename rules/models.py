"""Versioned reference lists behind the rule libraries.

Each list kind (name_words, enterprises, ...) has numbered versions that go draft -> published
-> archived. At most one version per kind carries the ``published`` status (the latest one
published), which the database enforces with a partial unique index. Which version was *in
effect* at a moment is answered by the append-only :class:`Publication` log instead, so that a
check can be replayed "as of" its decision and so that a version can take effect at a later date.

Entries belong to a version and carry up to three indexed lookup keys (``key``, ``key2``,
``key3``: the normalized forms a library probes) and an indexed reference (the entry's own
identifier, such as a credit code or address code), plus the row itself as JSON. No entry holds
a plaintext ID number: the dishonest-person list is keyed by a blind index (rules.privacy).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Not imported from rules.jurisdictions to keep the migration's default a plain string.
NATIONAL = "national"
SCOPE_MAX_LENGTH = 12


class ListVersion(models.Model):
    class Status(models.TextChoices):
        # An import still writing its entries in batches (embedded SQLite): nobody may use it.
        LOADING = "loading", "loading"
        DRAFT = "draft", "draft"
        PUBLISHED = "published", "published"
        ARCHIVED = "archived", "archived"

    # No choices here on purpose: list kinds are a code-level registry (rules.lists), and a new
    # kind must not need a migration.
    kind = models.CharField(_("名单"), max_length=40)
    # The jurisdiction whose layer this version is (rules.jurisdictions): "national" or a region
    # code. Versions are numbered, and one is published, per kind and scope.
    scope = models.CharField(_("适用范围"), max_length=SCOPE_MAX_LENGTH, default=NATIONAL)
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Process caches key on this token, not on the primary key: a primary key can be reused
    # after a rollback (SQLite) or a database reset, a fresh UUID never is.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry_count = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=255, blank=True)
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.CharField(max_length=150, blank=True)
    # When the latest publication of this version takes (or took) effect.
    effective_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("名单版本")
        verbose_name_plural = _("名单版本")
        ordering = ["kind", "scope", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "scope", "number"], name="rules_version_kind_scope_number_unique"),
            models.UniqueConstraint(
                fields=["kind", "scope"],
                condition=Q(status="published"),
                name="rules_version_one_published_per_kind_scope",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["loading", "draft", "published", "archived"]),
                name="rules_version_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["loading", "draft"]) | Q(published_at__isnull=False),
                name="rules_version_published_has_timestamp",
            ),
        ]

    def __str__(self) -> str:
        where = "" if self.scope == NATIONAL else f"@{self.scope}"
        return f"{self.kind}{where} v{self.number} ({self.status})"


class Publication(models.Model):
    """One act of publishing: from ``effective_at`` on, ``version`` is the list of its kind.

    Append-only. The version in effect at a moment is the publication of the kind with the
    latest ``effective_at`` not after that moment; a rollback is simply a new publication of an
    older version.
    """

    kind = models.CharField(max_length=40)
    scope = models.CharField(max_length=SCOPE_MAX_LENGTH, default=NATIONAL)
    version = models.ForeignKey(ListVersion, on_delete=models.PROTECT, related_name="publications")
    # Copied from the version so the per-check lookup needs no join.
    number = models.PositiveIntegerField()
    token = models.UUIDField()
    effective_at = models.DateTimeField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("发布记录")
        verbose_name_plural = _("发布记录")
        ordering = ["kind", "scope", "-effective_at", "-id"]
        indexes = [models.Index(fields=["kind", "scope", "effective_at", "id"], name="rules_pub_scope_effective")]

    def __str__(self) -> str:
        return f"{self.kind}@{self.scope} v{self.number} from {self.effective_at:%Y-%m-%d %H:%M}"


class ListEntry(models.Model):
    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="entries")
    # Physical line in the imported file, so an administrator can find the row again.
    line = models.PositiveIntegerField()
    key = models.CharField(max_length=255)
    ref = models.CharField(max_length=255, blank=True)
    # Secondary lookup keys, used by some kinds (e.g. an enterprise's trade name and its pinyin).
    key2 = models.CharField(max_length=255, blank=True, default="")
    key3 = models.CharField(max_length=255, blank=True, default="")
    data = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("名单条目")
        verbose_name_plural = _("名单条目")
        ordering = ["version", "line"]
        indexes = [
            models.Index(fields=["version", "key"], name="rules_entry_version_key"),
            models.Index(fields=["version", "ref"], name="rules_entry_version_ref"),
            models.Index(fields=["version", "key2"], name="rules_entry_version_key2"),
            models.Index(fields=["version", "key3"], name="rules_entry_version_key3"),
        ]

    def __str__(self) -> str:
        # Entries may hold personal data; the string form stays free of row data.
        return f"entry at line {self.line}"


class ListTally(models.Model):
    """Counts computed once at import, e.g. how many listed enterprises sit at each address."""

    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="tallies")
    facet = models.CharField(max_length=40)
    value = models.CharField(max_length=255)
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("名单统计")
        verbose_name_plural = _("名单统计")
        constraints = [
            models.UniqueConstraint(fields=["version", "facet", "value"], name="rules_tally_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.value}: {self.count}"


class RegisteredEnterprise(models.Model):
    """An enterprise registered live by market regulation, on top of the published list.

    Its registration authority (a region code, see rules.jurisdictions) bounds where its name is
    unique; a cancelled company still holds its name at that authority for a year.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("存续")
        CANCELLED = "cancelled", _("已注销")

    name = models.CharField(_("企业名称"), max_length=255)
    name_key = models.CharField(max_length=255, db_index=True)
    # The name without region and organisation form, its trade name (字号), the pinyin of the
    # trade name with the industry, as the enterprises list stores them (rules.names_structure).
    core_key = models.CharField(max_length=255, blank=True, default="", db_index=True)
    trade_name_key = models.CharField(max_length=255, blank=True, default="", db_index=True)
    pinyin_key = models.CharField(max_length=255, blank=True, default="", db_index=True)
    industry = models.CharField(max_length=40, blank=True, default="")
    address = models.CharField(max_length=255, blank=True, default="")
    address_code = models.CharField(max_length=255, blank=True, default="", db_index=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    authority = models.CharField(_("登记机关"), max_length=SCOPE_MAX_LENGTH, blank=True, default="", db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    cancelled_at = models.DateTimeField(_("注销时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已登记企业")
        verbose_name_plural = _("已登记企业")
        ordering = ["-registered_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["active", "cancelled"]), name="rules_registered_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="active", cancelled_at__isnull=True)
                | Q(status="cancelled", cancelled_at__isnull=False),
                name="rules_registered_cancelled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"


class HitCount(models.Model):
    """How often a rule or list entry fired on real applications, per day."""

    day = models.DateField()
    library = models.CharField(max_length=40)
    rule = models.CharField(max_length=80)
    list_kind = models.CharField(max_length=40, blank=True, default="")
    # The entry's stable identity across versions (a word, an address code, a case number).
    entry = models.CharField(max_length=255, blank=True, default="")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("命中统计")
        verbose_name_plural = _("命中统计")
        ordering = ["-day", "library", "rule"]
        constraints = [
            models.UniqueConstraint(fields=["day", "library", "rule", "list_kind", "entry"], name="rules_hit_unique"),
        ]
        indexes = [models.Index(fields=["list_kind", "entry", "day"], name="rules_hit_entry_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.library}/{self.rule} {self.entry}: {self.count}"


class GoldenCase(models.Model):
    """A test case an administrator attaches to a list: this input must give this outcome.

    Publishing a version of the list is refused while any case of a library that uses the list
    fails. The input is an application document (CONTRACT §4); ID numbers in it are stored only
    as blind index and masked form (rules.privacy), never in plain text.
    """

    class Expected(models.TextChoices):
        PASS = "pass", "pass"
        REVIEW = "review", "review"
        REJECT = "reject", "reject"

    kind = models.CharField(_("名单"), max_length=40, help_text=_("本用例守护的名单"))
    # The layer the case guards; its application is checked in that jurisdiction when its own
    # address and name do not place it (rules.services.golden).
    scope = models.CharField(_("适用范围"), max_length=SCOPE_MAX_LENGTH, default=NATIONAL)
    library = models.CharField(max_length=40, help_text="the rule library whose outcome is checked")
    title = models.CharField(max_length=200)
    document = models.JSONField(default=dict)
    expected_outcome = models.CharField(max_length=10, choices=Expected.choices)
    expected_rule = models.CharField(max_length=80, blank=True, help_text="optional: a rule that must fire")
    created_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("黄金用例")
        verbose_name_plural = _("黄金用例")
        ordering = ["kind", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expected_outcome__in=["pass", "review", "reject"]), name="rules_golden_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"


class ImportJob(models.Model):
    """One import of a list file, run in the background (admin) or in the foreground (CLI).

    The file waits on disk under VAR_DIR (``path``); the Celery task carries only this row's id.
    Workers report progress here, and the admin polls it. While a job of a kind and scope is
    queued or running, a second one is refused: the partial unique index says so, for the CLI
    and the admin alike.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("名单"), max_length=40)
    scope = models.CharField(_("适用范围"), max_length=SCOPE_MAX_LENGTH, default=NATIONAL)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    filename = models.CharField(_("文件"), max_length=255, blank=True)
    path = models.CharField(max_length=500, blank=True, help_text="the uploaded file on disk, removed when done")
    publish = models.BooleanField(default=False)
    effective_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.CharField(max_length=150, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    # [(line, reason), ...]: the same line-numbered report as the CLI's.
    errors = models.JSONField(default=list, blank=True)
    summary = models.CharField(max_length=255, blank=True)
    version_number = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope"],
                condition=Q(status__in=["queued", "running"]),
                name="rules_import_one_running_per_kind_scope",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="rules_import_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}@{self.scope} {self.filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class NameReservation(models.Model):
    """A name reserved before filing (名称自主申报), held at one registration authority.

    While active and unexpired, the same name (core key) or the same trade name in the same
    industry is refused to everyone else at that authority; the partial unique indexes make two
    simultaneous reservations of one name end with exactly one winner.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", _("保留中")
        USED = "used", _("已使用")
        RELEASED = "released", _("已释放")

    # The holder cites it in their application; random, so citing it proves the holder.
    reference = models.CharField(_("保留编号"), max_length=32, unique=True)
    name = models.CharField(_("企业名称"), max_length=255)
    core_key = models.CharField(max_length=255)
    trade_name_key = models.CharField(max_length=255, blank=True, default="")
    industry = models.CharField(max_length=40, blank=True, default="")
    authority = models.CharField(_("登记机关"), max_length=SCOPE_MAX_LENGTH)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    prior_approval = models.BooleanField(_("需前置审批"), default=False)
    reserved_by = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("保留至"))
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("名称保留")
        verbose_name_plural = _("名称保留")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["core_key", "status"], name="rules_reservation_core"),
            models.Index(fields=["trade_name_key", "status"], name="rules_reservation_trade"),
            models.Index(fields=["status", "expires_at"], name="rules_reservation_expiry"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "core_key"],
                condition=Q(status="active"),
                name="rules_reservation_one_name_per_authority",
            ),
            models.UniqueConstraint(
                fields=["authority", "trade_name_key", "industry"],
                condition=Q(status="active") & ~Q(trade_name_key=""),
                name="rules_reservation_one_trade_name_per_authority",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "used", "released"]), name="rules_reservation_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} @{self.authority} ({self.status})"
