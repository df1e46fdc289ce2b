"""Roles, named permissions and which role holds them (Saleor's per-domain permission enums).

Services check these themselves for sensitive actions; views check them for the user's sake.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    GUIDE = "guide", _("导办员")
    OFFICER = "officer", _("窗口民警")
    BACK_OFFICE = "back_office", _("审核审批民警")
    SHIFT_LEADER = "shift_leader", _("值班长")
    DIRECTOR = "director", _("中心主任")
    INSPECTOR = "inspector", _("督察")
    SANITATION = "sanitation", _("环卫人员")
    ADMINISTRATOR = "administrator", _("系统管理员")
    DESK_OFFICER = "desk_officer", _("惠民暖警服务台")


# Roles whose accounts must pass TOTP two-factor authentication at every login.
TWO_FACTOR_ROLES = frozenset({Role.DIRECTOR, Role.INSPECTOR, Role.ADMINISTRATOR})


class Perm(StrEnum):
    # hall
    TICKET_ISSUE = "ticket_issue"
    TICKET_CALL = "ticket_call"
    HALL_MONITOR = "hall_monitor"
    HALL_CONFIGURE = "hall_configure"
    # cases
    CASE_ACCEPT = "case_accept"
    CASE_PROCESS = "case_process"
    CASE_MONITOR = "case_monitor"
    # people
    PERSON_VIEW = "person_view"
    PERSON_EDIT = "person_edit"
    PERSON_IMPORT = "person_import"
    PERSON_REVEAL = "person_reveal"  # see a full ID number or phone; audited
    # catalogue, fees, calendar
    CATALOGUE_EDIT = "catalogue_edit"
    CALENDAR_EDIT = "calendar_edit"
    FEE_COLLECT = "fee_collect"
    FEE_POLICY_EDIT = "fee_policy_edit"
    REFUND_APPROVE = "refund_approve"
    # notifications
    SMS_SEND = "sms_send"
    SMS_TEMPLATE_EDIT = "sms_template_edit"
    # identity
    FACE_VERIFY = "face_verify"
    # supervision
    AUDIT_VIEW = "audit_view"
    REPORT_VIEW = "report_view"
    BRIEFING_VIEW = "briefing_view"  # the morning briefing (shift leader, director)
    # lost and found
    FOUND_ITEM_REGISTER = "found_item_register"
    FOUND_ITEM_MANAGE = "found_item_manage"
    FOUND_ITEM_DISPOSE = "found_item_dispose"  # approve a disposal (shift leader)
    LOST_FOUND_CONFIGURE = "lost_found_configure"
    LOST_FOUND_STATS = "lost_found_stats"
    # administration
    STAFF_MANAGE = "staff_manage"
    AUTHORIZATION_GRANT = "authorization_grant"
    # family desk (惠民暖警)
    DESK_ASK = "desk_ask"  # ask the desk, register one's family members
    DESK_HANDLE = "desk_handle"  # the desk's board: assign, reply, custody
    DESK_GUIDE_EDIT = "desk_guide_edit"  # edit, import and export the procedures guide
    DESK_FIGURES = "desk_figures"  # counts and the weekly summary, never contents
    DESK_CONFIGURE = "desk_configure"  # open the guide to the public
    # staffing planner
    STAFFING_PLAN = "staffing_plan"  # the planner's page and plan API
    # standards (练兵, 三颗星, 双随机)
    TRAINING_TAKE = "training_take"  # study courses, sit exams
    TRAINING_MANAGE = "training_manage"  # courses, question bank, exams, manual certification
    STARS_VIEW = "stars_view"  # the month's stars and the certification board
    STARS_MANAGE = "stars_manage"  # star rules, computation, answers to objections
    ABSENCE_RECORD = "absence_record"  # absences for the discipline star (shift leader)
    INSPECTION_DRAW = "inspection_draw"  # commit and run 双随机 draws, publish results
    INSPECTION_CONDUCT = "inspection_conduct"  # record findings and re-checks
    # ratings and complaints (好差评, 诉求)
    RATING_PAD_PAIR = "rating_pad_pair"  # show a pairing code for a window's rating pad
    RATING_APPEAL = "rating_appeal"  # 申诉 against a bad rating of one's own service
    RATING_MANAGE = "rating_manage"  # rectifications, phone-callback ratings, complaints
    RATING_DECIDE = "rating_decide"  # appeals, 复核, deadlines, publication (director)
    RATING_FIGURES = "rating_figures"  # figures and the provincial export
    # appointments and home visits
    APPOINTMENT_MANAGE = "appointment_manage"  # book for a caller, check in at the guide desk
    APPOINTMENT_CONFIGURE = "appointment_configure"  # rules, capacity, duty roster, closures
    HOME_VISIT_VIEW = "home_visit_view"  # take requests; a team member sees their own visits
    HOME_VISIT_REVIEW = "home_visit_review"  # approve or refuse (shift leader)
    HOME_VISIT_PLAN = "home_visit_plan"  # teams and routes


_LOST_FOUND_DESK = {Perm.FOUND_ITEM_REGISTER, Perm.FOUND_ITEM_MANAGE}

_STANDARDS_STAFF = {Perm.TRAINING_TAKE, Perm.STARS_VIEW}

_WINDOW = {
    Perm.TICKET_ISSUE,
    Perm.TICKET_CALL,
    Perm.CASE_ACCEPT,
    Perm.PERSON_VIEW,
    Perm.PERSON_EDIT,
    Perm.FEE_COLLECT,
    Perm.FACE_VERIFY,
    Perm.SMS_SEND,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.GUIDE: frozenset({Perm.TICKET_ISSUE, Perm.DESK_ASK, Perm.APPOINTMENT_MANAGE}),
    Role.OFFICER: frozenset(
        _WINDOW
        | _LOST_FOUND_DESK
        | _STANDARDS_STAFF
        | {
            Perm.CASE_PROCESS,
            Perm.DESK_ASK,
            Perm.RATING_PAD_PAIR,
            Perm.RATING_APPEAL,
            Perm.APPOINTMENT_MANAGE,
            Perm.HOME_VISIT_VIEW,
        }
    ),
    Role.BACK_OFFICE: frozenset(
        _STANDARDS_STAFF | {Perm.CASE_PROCESS, Perm.PERSON_VIEW, Perm.SMS_SEND, Perm.DESK_ASK}
    ),
    Role.SHIFT_LEADER: frozenset(
        _WINDOW
        | _LOST_FOUND_DESK
        | _STANDARDS_STAFF
        | {
            Perm.ABSENCE_RECORD,
            Perm.DESK_ASK,
            Perm.FOUND_ITEM_DISPOSE,
            Perm.LOST_FOUND_STATS,
            Perm.CASE_PROCESS,
            Perm.CASE_MONITOR,
            Perm.HALL_MONITOR,
            Perm.REPORT_VIEW,
            Perm.STAFFING_PLAN,
            Perm.BRIEFING_VIEW,
            Perm.PERSON_REVEAL,
            Perm.PERSON_IMPORT,
            Perm.RATING_PAD_PAIR,
            Perm.RATING_APPEAL,
            Perm.RATING_MANAGE,
            Perm.RATING_FIGURES,
            Perm.APPOINTMENT_MANAGE,
            Perm.HOME_VISIT_VIEW,
            Perm.HOME_VISIT_REVIEW,
            Perm.HOME_VISIT_PLAN,
        }
    ),
    Role.DIRECTOR: frozenset(
        {
            Perm.HALL_MONITOR,
            Perm.HALL_CONFIGURE,
            Perm.CASE_MONITOR,
            Perm.PERSON_VIEW,
            Perm.CATALOGUE_EDIT,
            Perm.CALENDAR_EDIT,
            Perm.FEE_POLICY_EDIT,
            Perm.REFUND_APPROVE,
            Perm.SMS_TEMPLATE_EDIT,
            Perm.SMS_SEND,
            Perm.REPORT_VIEW,
            Perm.STAFFING_PLAN,
            Perm.BRIEFING_VIEW,
            Perm.AUTHORIZATION_GRANT,
            Perm.PERSON_IMPORT,
            Perm.PERSON_EDIT,
            Perm.DESK_ASK,
            Perm.DESK_FIGURES,
            Perm.DESK_CONFIGURE,
            Perm.LOST_FOUND_CONFIGURE,
            Perm.LOST_FOUND_STATS,
            Perm.TRAINING_MANAGE,
            Perm.STARS_VIEW,
            Perm.STARS_MANAGE,
            Perm.ABSENCE_RECORD,
            Perm.INSPECTION_DRAW,
            Perm.RATING_MANAGE,
            Perm.RATING_DECIDE,
            Perm.RATING_FIGURES,
            Perm.APPOINTMENT_MANAGE,
            Perm.APPOINTMENT_CONFIGURE,
            Perm.HOME_VISIT_VIEW,
            Perm.HOME_VISIT_PLAN,
        }
    ),
    Role.INSPECTOR: frozenset(
        {
            Perm.STARS_VIEW,
            Perm.INSPECTION_DRAW,
            Perm.INSPECTION_CONDUCT,
            Perm.AUDIT_VIEW,
            Perm.REPORT_VIEW,
            Perm.CASE_MONITOR,
            Perm.DESK_ASK,
            Perm.LOST_FOUND_STATS,
            Perm.RATING_FIGURES,
        }
    ),
    Role.SANITATION: frozenset({Perm.FOUND_ITEM_REGISTER}),
    Role.ADMINISTRATOR: frozenset(
        {
            Perm.STAFF_MANAGE,
            Perm.AUTHORIZATION_GRANT,
            Perm.PERSON_IMPORT,
            Perm.PERSON_VIEW,
            Perm.PERSON_EDIT,
        }
    ),
    Role.DESK_OFFICER: frozenset(
        {Perm.DESK_ASK, Perm.DESK_HANDLE, Perm.DESK_GUIDE_EDIT, Perm.DESK_FIGURES}
    ),
}


def has_perm(user: object, perm: Perm) -> bool:
    """True when `user` is an active staff member whose role holds `perm`."""
    role = getattr(user, "role", None)
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return perm in ROLE_PERMISSIONS.get(Role(role), frozenset()) if role else False
