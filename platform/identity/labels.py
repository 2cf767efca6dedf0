"""Labels people see for the proof of presence, translated through Django's i18n."""

from django.utils.translation import gettext_lazy as _

ROLE_LABELS = {
    "legal_representative": _("法定代表人"),
    "handler": _("经办人"),
    "shareholder": _("股东"),
}
STATUS_LABELS = {
    "pending": _("待核验"),
    "verified": _("已核验"),
    "failed": _("核验未通过"),
    "expired": _("已过期"),
}
PROOF_LABELS = {
    "registry": _("公民身份信息库比对"),
    "carrier": _("手机号实名核验"),
    "code": _("短信验证码"),
    "face": _("人脸比对"),
}


def verification_labels() -> dict[str, dict[str, str]]:
    """For the status page's script: every label, in the request's language."""
    return {
        "roles": {key: str(value) for key, value in ROLE_LABELS.items()},
        "statuses": {key: str(value) for key, value in STATUS_LABELS.items()},
        "proofs": {key: str(value) for key, value in PROOF_LABELS.items()},
        "verify": str(_("本人核验")),
    }
