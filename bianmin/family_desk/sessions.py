"""The family member's phone-page session (set after the SMS code, read by pages and the API)."""

from django.http import HttpRequest

from bianmin.family_desk.models import FamilyMember
from bianmin.family_desk.selectors import family_member_get

FAMILY_SESSION_KEY = "desk_family_member"


def family_from_session(request: HttpRequest) -> FamilyMember | None:
    data = request.session.get(FAMILY_SESSION_KEY) if hasattr(request, "session") else None
    if not isinstance(data, dict):
        return None
    return family_member_get(center_id=int(data["center"]), member_id=int(data["id"]))
