"""SMS wording of the lost-and-found platform (governed content, one place).

The bodies are seeded as approved templates by this context's data migration, through the
notifications context's template table; the director edits them on the 短信模板 screen.
Variables are the notifications context's (`${item}`, `${center}`, `${case_number}`).
"""

FOUND_DOCUMENT = "found_document"
LOST_MATCH_CONFIRMED = "lost_match_confirmed"

TEMPLATES = (
    (
        FOUND_DOCUMENT,
        "拾获证件通知",
        "您的${item}已交到${center}（登记号${case_number}），凭身份证明工作日领取。",
        "拾获证件后按证件号码找到失主时通知其领取（每件只发一次）。",
    ),
    (
        LOST_MATCH_CONFIRMED,
        "寻物匹配通知",
        "您寻找的物品（登记号${case_number}）可能已被拾获，请工作日到${center}核实认领并说明特征。",
        "民警确认寻物登记与拾得物匹配后通知登记人。",
    ),
)
