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
    WINDOW_PAUSED = "window_paused", _("窗口暂停服务")
    WINDOW_RESUMED = "window_resumed", _("窗口恢复服务")
    HALL_SETTINGS_UPDATED = "hall_settings_updated", _("修改大厅设置")
    # cases
    CASE_CREATED = "case_created", _("创建办件")
    CASE_TRANSITIONED = "case_transitioned", _("办件流转")
    CASE_VIEWED = "case_viewed", _("查看办件")
    CASE_CORRECTED = "case_corrected", _("办件更正")
    NOTICE_ISSUED = "notice_issued", _("出具一次性告知单")
    CASE_ACCEPTED = "case_accepted", _("受理办件")
    CASE_CONFIRMED = "case_confirmed", _("申请人确认信息")
    CASE_ARRIVED = "case_arrived", _("到证登记")
    CASE_PICKED_UP = "case_picked_up", _("领证")
    CASE_TERMINATED = "case_terminated", _("终止办件")
    INQUIRY_OPENED = "inquiry_opened", _("登记咨询")
    INQUIRY_HANDED_OVER = "inquiry_handed_over", _("移交咨询")
    INQUIRY_ANSWERED = "inquiry_answered", _("答复咨询")
    # fees
    FEE_COLLECTED = "fee_collected", _("收费")
    FEE_REFUNDED = "fee_refunded", _("退费")
    POLICY_UPDATED = "policy_updated", _("修改减免政策")
    CAMPAIGN_UPDATED = "campaign_updated", _("修改活动")
    FEE_REFUND_REQUESTED = "fee_refund_requested", _("申请退费")
    FEE_DRAWER_CLOSED = "fee_drawer_closed", _("收费日结")
    FREE_COPIES_RECORDED = "free_copies_recorded", _("登记免费复印")
    CLASS_LIST_IMPORTED = "class_list_imported", _("导入学生名单")
    # notifications
    SMS_QUEUED = "sms_queued", _("短信排队")
    SMS_BATCH_SENT = "sms_batch_sent", _("批量发送短信")
    SMS_TEMPLATE_UPDATED = "sms_template_updated", _("修改短信模板")
    SMS_TEMPLATE_APPROVED = "sms_template_approved", _("审核短信模板")
    SMS_BATCH_IMPORTED = "sms_batch_imported", _("导入到证清单")
    SMS_RETRIED = "sms_retried", _("短信重发")
    # identity
    FACE_CONSENT = "face_consent", _("人脸核验授权")
    FACE_ENROLLED = "face_enrolled", _("人脸模板登记")
    FACE_VERIFIED = "face_verified", _("人脸核验")
    FACE_DECISION = "face_decision", _("人脸核验人工确认")
    FACE_FRAMES_DELETED = "face_frames_deleted", _("删除留存人脸画面")
    # lost and found
    FOUND_ITEM_REGISTERED = "found_item_registered", _("登记拾得物")
    FOUND_ITEM_TRANSITIONED = "found_item_transitioned", _("拾得物流转")
    FOUND_ITEM_VIEWED = "found_item_viewed", _("查看拾得物")
    LOST_REPORT_CREATED = "lost_report_created", _("寻物登记")
    LOST_MATCH_DECIDED = "lost_match_decided", _("核实匹配")
    FOUND_ITEM_CLAIMED = "found_item_claimed", _("拾得物认领交付")
    FOUND_ITEM_CLAIM_REFUSED = "found_item_claim_refused", _("拒绝认领")
    FOUND_ITEM_DISPOSAL = "found_item_disposal", _("拾得物处置")
    LOST_FOUND_SETTINGS_UPDATED = "lost_found_settings_updated", _("修改失物招领规则")
