"""Writes to the rule-library data, one module per concern (after Zulip's ``zerver/actions``):

* ``importing``: bulk import of a list file into a new version;
* ``publishing``: publishing a version, guarded by the golden cases;
* ``golden``: golden cases;
* ``impact``: the impact preview of a draft;
* ``diff``: the difference between two versions;
* ``export``: a version in its import format;
* ``register``: the live enterprise register;
* ``hits``: hit counts.

The names below are the public API other code imports from ``rules.services``.
"""

from rules.services.diff import DiffRow, VersionDiff, version_diff
from rules.services.export import version_export_rows
from rules.services.golden import (
    GoldenResult,
    golden_case_create,
    golden_cases_run,
    golden_document_seal,
    golden_subject,
)
from rules.services.hits import hits_record
from rules.services.impact import ImpactChange, ImpactReport, impact_preview
from rules.services.importing import ImportFailed, ImportSummary, list_import, list_kinds
from rules.services.publishing import PublishRefused, version_publish
from rules.services.register import enterprise_cancel, enterprise_register

__all__ = [
    "DiffRow",
    "GoldenResult",
    "ImpactChange",
    "ImpactReport",
    "ImportFailed",
    "ImportSummary",
    "PublishRefused",
    "VersionDiff",
    "enterprise_cancel",
    "enterprise_register",
    "golden_case_create",
    "golden_cases_run",
    "golden_document_seal",
    "golden_subject",
    "hits_record",
    "impact_preview",
    "list_import",
    "list_kinds",
    "version_diff",
    "version_export_rows",
    "version_publish",
]
