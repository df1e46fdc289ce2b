"""SMS wording of ratings and complaints (governed content, one place).

The bodies are seeded as approved templates by this context's data migration, through the
notifications context's template table; the director edits them on the 短信模板 screen.
"""

RATING_INVITE = "rating_invite"
COMPLAINT_RECEIVED = "complaint_received"
COMPLAINT_ANSWERED = "complaint_answered"

TEMPLATES = (
    (
        RATING_INVITE,
        "好差评邀请",
        "请评价本次服务：${link}",
        "办结、受理、领证后邀请群众评价，每项服务只发一次，链接只能使用一次。",
    ),
    (
        COMPLAINT_RECEIVED,
        "诉求受理通知",
        "您反映的诉求已受理，编号${case_number}，我们将在规定时限内答复。",
        "群众通过任何渠道提出诉求或建议后发送受理编号。",
    ),
    (
        COMPLAINT_ANSWERED,
        "诉求答复通知",
        "您反映的诉求（编号${case_number}）已办理答复，工作人员将与您电话联系。",
        "诉求答复后通知群众。",
    ),
)
