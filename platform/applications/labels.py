"""Words people see for the codes the system uses, in Simplified Chinese with English via i18n."""

from django.utils.translation import gettext_lazy as _

from rules import engine

STATUS_LABELS = {
    "submitted": _("已提交"),
    "checking": _("自动审查中"),
    "manual_review": _("人工审批中"),
    "rejected": _("未通过"),
    "returned": _("退回修改"),
    "dispatching": _("并联办理中"),
    "completed": _("已办结"),
    "awaiting_verification": _("等待实名核验"),
    "lapsed": _("已过期"),
    "incomplete": _("部分部门办理失败"),
    "pending": _("等待中"),
    "running": _("审查中"),
    "in_progress": _("办理中"),
    "done": _("已完成"),
    "failed": _("失败"),
    "error": _("出错"),
}
OUTCOME_LABELS = {"pass": _("通过"), "approve": _("通过"), "review": _("需人工审批"), "reject": _("驳回")}
# The rule libraries name themselves where they are registered (rules.engine).
LIBRARY_LABELS = engine.LIBRARY_LABELS
DEPARTMENT_LABELS = {
    "market_regulation": _("市场监管：设立登记、统一社会信用代码"),
    "tax": _("税务：税务登记、申领发票"),
    "public_security": _("公安：刻制印章"),
    "social_security": _("人社：社保登记"),
    "housing_fund": _("公积金：单位开户"),
    "bank": _("银行：开户预约"),
}

# The fields of the departments' answers, as the status page shows them.
RESULT_LABELS = {
    "company_name": _("企业名称"),
    "credit_code": _("统一社会信用代码"),
    "license_number": _("营业执照编号"),
    "registered_at": _("办结时间"),
    "entity_type": _("类型"),
    "established_on": _("成立日期"),
    "registration_authority": _("登记机关"),
    "taxpayer_id": _("纳税人识别号"),
    "tax_authority": _("主管税务机关"),
    "taxpayer_type": _("纳税人类型"),
    "invoice_quota": _("发票"),
    "invoice_type": _("发票种类"),
    "monthly_count": _("每月份数"),
    "max_amount": _("单份最高开票限额（元）"),
    "seal_order_number": _("刻章订单号"),
    "seals": _("印章"),
    "maker": _("刻章单位"),
    "ready_at": _("可领取时间"),
    "account_number": _("账号"),
    "office": _("经办机构"),
    "center": _("公积金中心"),
    "bank": _("银行"),
    "branch": _("网点"),
    "appointment_at": _("预约时间"),
    "appointment_number": _("预约号"),
}


def labels_for_script() -> dict[str, dict[str, str]]:
    """All labels as plain strings, for the status page's script (json_script)."""
    return {
        "status": {code: str(label) for code, label in STATUS_LABELS.items()},
        "outcome": {code: str(label) for code, label in OUTCOME_LABELS.items()},
        "library": {code: str(label) for code, label in LIBRARY_LABELS.items()},
        "department": {code: str(label) for code, label in DEPARTMENT_LABELS.items()},
        "result": {key: str(label) for key, label in RESULT_LABELS.items()},
        "text": {
            "rejected": str(_("申请未通过。")),
            "returned": str(_("申请已退回修改。")),
            "identity_check": str(_("实名核验")),
            "processing": str(_("业务办理")),
            "separator": str(_("、")),
            "incomplete": str(_("部分部门未能办结。下列部门办理失败：")),
            "failed_reason": str(_("原因：")),
            "next_step": str(_("下一步：")),
            "failure_upstream": str(
                _("市场监管部门办理失败，本部门暂停办理；市场监管部门重新办理成功后将自动继续，无需您操作。")
            ),
            "failure_unavailable": str(
                _("部门系统暂时无法受理，自动重试已用尽。运营人员已收到提醒，将原样重新报送，无需您重新提交。")
            ),
            "failure_refused": str(
                _("部门未予办理。运营人员将核实原因并与您联系；如需修改申请内容，可按其指引重新提交。")
            ),
        },
    }
