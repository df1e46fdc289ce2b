"""SMS wording of the appointments context (governed content, one module; house style 3.3).

The bodies are seeded as approved version-1 templates of the notifications context by the
migration `0002_sms_templates` (a copy: a migration must not change when the code does);
the director edits them on the 短信模板 screen. No full ID numbers or names in any SMS.
"""

CONFIRMED = "appointment_confirmed"
REMINDER_EVE = "appointment_reminder"  # the notifications context's own template
REMINDER_HOUR = "appointment_soon"
CLOSURE = "appointment_closure"
VISIT_APPROVED = "home_visit_approved"
VISIT_REFUSED = "home_visit_refused"
VISIT_SCHEDULED = "home_visit_scheduled"
VISIT_CODE = "home_visit_code"

TEMPLATES = (
    (
        CONFIRMED,
        "预约成功通知",
        "您已预约${date} ${time}办理${item}，预约码${code}，请提前到大厅签到。",
        "预约成功后发送预约码（每个预约一次）。",
    ),
    (
        REMINDER_EVE,
        "预约提醒",
        "您已预约${date} ${time}办理${item}，请携带身份证件及材料按时到便民服务中心。",
        "预约前一日18:00提醒。",
    ),
    (
        REMINDER_HOUR,
        "预约即将开始提醒",
        "您预约的${item}将于${time}开始，请于前15分钟内到大厅凭预约码${code}签到。",
        "预约开始前一小时提醒（免打扰时段不发）。",
    ),
    (
        CLOSURE,
        "预约取消通知",
        "因临时停办，您${date}的预约（预约码${code}）已取消；最近可约${time}时段，可凭预约码改约。",
        "中心停办时通知每个受影响的预约（每个预约一次）。",
    ),
    (
        VISIT_APPROVED,
        "上门服务受理通知",
        "您申请的上门办证（编号${case_number}）已通过审核，排定上门时间后将短信告知。",
        "值班长审核通过上门服务申请后通知联系人。",
    ),
    (
        VISIT_REFUSED,
        "上门服务审核结果",
        "您申请的上门办证（编号${case_number}）未通过审核，详情请致电${center}。",
        "值班长不予上门时通知联系人。",
    ),
    (
        VISIT_SCHEDULED,
        "上门时间通知",
        "流动服务队将于${date} ${time}前后上门办理${item}，请家中留人并备好户口簿。",
        "排定路线后通知联系人上门日期和时间段。",
    ),
    (
        VISIT_CODE,
        "上门服务申请验证码",
        "您的上门服务申请验证码为${code}，5分钟内有效，请勿告诉他人。",
        "公开页面申请上门服务时验证联系人手机。",
    ),
)
