"""Center B's staff cannot read center A's plan: the page plans only the viewer's own center
and the API answers another center's code as it answers an unknown one.

Covered URL names / API operations (all reads; the planner writes nothing):
  API  api-1:planner_plan      GET /api/v1/planner/plan?center=<A>
  API  api-1:planner_erlang    GET /api/v1/planner/erlang (figures only, no center's records)
  HTML planner:plan            GET /planner/ (own center only)
"""

from bianmin.core.permissions import Role


def test_center_b_director_cannot_read_center_a_plan(
    center, other_center, make_staff, api_client_for
):
    b_director = make_staff(Role.DIRECTOR, username="director_b", center_=other_center)
    client = api_client_for(b_director)
    response = client.get("/api/v1/planner/plan", {"center": center.code, "date": "2026-11-30"})
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_center"
    own = client.get("/api/v1/planner/plan", {"center": other_center.code, "date": "2026-11-30"})
    assert own.status_code == 200
    assert own.json()["total_officer_hours_pooled"] == 0  # B has no history of its own


def test_center_b_page_shows_none_of_center_a_history(
    hall_history, center, other_center, make_staff, login_client_for
):
    b_leader = make_staff(Role.SHIFT_LEADER, username="leader_b", center_=other_center)
    response = login_client_for(b_leader).get("/planner/", {"date": "2026-11-30"})
    assert response.status_code == 200
    assert response.context["plan"].hours == []
    assert response.context["accuracy"].days == []
