"""Every audit action code, declared once with its Chinese label (Sentry's register)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # accounts
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    ACCOUNT_LOCKED = "account_locked", _("账户锁定")
    LOGOUT = "logout", _("退出")
    TOTP_BOUND = "totp_bound", _("绑定动态口令")
    API_TOKEN_CREATED = "api_token_created", _("创建接口令牌")
    STAFF_CREATED = "staff_created", _("创建工作人员")
    AUTHORIZATION_GRANTED = "authorization_granted", _("交叉授权")
    AUTHORIZATION_REVOKED = "authorization_revoked", _("撤销授权")
    # people
    PERSON_CREATED = "person_created", _("新增人口信息")
    PERSON_UPDATED = "person_updated", _("修改人口信息")
    PERSON_VIEWED = "person_viewed", _("查看人口信息")
    PERSON_REVEALED = "person_revealed", _("查看完整证件号码或电话")
    PERSON_SEARCHED = "person_searched", _("按证件号码查询")
    PERSON_IMPORTED = "person_imported", _("批量导入人口信息")
    # catalogue and calendar
    ITEM_UPDATED = "item_updated", _("修改事项")
    CALENDAR_UPDATED = "calendar_updated", _("修改工作日历")
    # hall
    TICKET_ISSUED = "ticket_issued", _("取号")
    TICKET_CALLED = "ticket_called", _("叫号")
    TICKET_CHANGED = "ticket_changed", _("号票变动")
    WINDOW_SIGNED_IN = "window_signed_in", _("窗口签到")
    WINDOW_SIGNED_OUT = "window_signed_out", _("窗口签退")
    # cases
    CASE_CREATED = "case_created", _("创建办件")
    CASE_TRANSITIONED = "case_transitioned", _("办件流转")
    CASE_VIEWED = "case_viewed", _("查看办件")
    CASE_CORRECTED = "case_corrected", _("办件更正")
    NOTICE_ISSUED = "notice_issued", _("出具一次性告知单")
    # fees
    FEE_COLLECTED = "fee_collected", _("收费")
    FEE_REFUNDED = "fee_refunded", _("退费")
    POLICY_UPDATED = "policy_updated", _("修改减免政策")
    CAMPAIGN_UPDATED = "campaign_updated", _("修改活动")
    # notifications
    SMS_QUEUED = "sms_queued", _("短信排队")
    SMS_BATCH_SENT = "sms_batch_sent", _("批量发送短信")
    SMS_TEMPLATE_UPDATED = "sms_template_updated", _("修改短信模板")
    # identity
    FACE_CONSENT = "face_consent", _("人脸核验授权")
    FACE_ENROLLED = "face_enrolled", _("人脸模板登记")
    FACE_VERIFIED = "face_verified", _("人脸核验")
    FACE_DECISION = "face_decision", _("人脸核验人工确认")
