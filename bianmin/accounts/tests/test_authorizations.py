import pytest

from bianmin.accounts.models import Authorization, Staff
from bianmin.accounts.selectors import staff_item_ids, staff_may_serve
from bianmin.catalogue.models import ServiceItem
from bianmin.core.errors import PermissionDenied
from bianmin.core.permissions import Role

pytestmark = pytest.mark.django_db


def test_director_sets_exact_authorizations(catalogue, make_staff, director, login_client_for):
    officer = make_staff(Role.OFFICER, all_round=True)
    client = login_client_for(director)

    response = client.post(f"/staff/{officer.pk}/authorizations/", {"items": ["HZ02", "CR01"]})

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_all_round is False
    codes = set(Authorization.objects.filter(staff=officer).values_list("item__code", flat=True))
    assert codes == {"HZ02", "CR01"}
    hz02 = ServiceItem.objects.get(code="HZ02")
    jg01 = ServiceItem.objects.get(code="JG01")
    assert staff_may_serve(staff=officer, item_id=hz02.pk)
    assert not staff_may_serve(staff=officer, item_id=jg01.pk)
    assert staff_item_ids(staff=officer) == {hz02.pk, ServiceItem.objects.get(code="CR01").pk}


def test_all_round_officer_serves_everything(catalogue, officer):
    assert staff_item_ids(staff=officer) is None
    assert staff_may_serve(staff=officer, item_id=ServiceItem.objects.get(code="WA02").pk)


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.DIRECTOR, Role.ADMINISTRATOR)])
def test_others_cannot_change_authorizations(
    catalogue, staff_by_role, make_staff, login_client_for, role
):
    officer = make_staff(Role.OFFICER, all_round=True)
    response = login_client_for(staff_by_role[role]).post(
        f"/staff/{officer.pk}/authorizations/", {"items": ["HZ02"]}
    )
    assert response.status_code == 403
    officer.refresh_from_db()
    assert officer.is_all_round is True
    assert not Authorization.objects.exists()


def test_director_cannot_authorize_another_centers_officer(
    catalogue, director, make_staff, other_center
):
    from bianmin.accounts.services import staff_set_authorizations

    foreign = make_staff(Role.OFFICER, center_=other_center)
    with pytest.raises(PermissionDenied):
        staff_set_authorizations(actor=director, staff=foreign, all_round=False, items=[])


def test_administrator_creates_an_account(staff_by_role, login_client_for):
    admin = staff_by_role[Role.ADMINISTRATOR]
    response = login_client_for(admin).post(
        "/staff/",
        {
            "username": "officer21",
            "full_name": "新民警",
            "role": "officer",
            "password": "Longenough1",
            "is_all_round": "on",
        },
    )
    assert response.status_code == 302
    created = Staff.objects.get(username="officer21")
    assert (created.center_id, created.is_all_round, created.check_password("Longenough1")) == (
        admin.center_id,
        True,
        True,
    )


def test_bad_username_is_explained(staff_by_role, login_client_for):
    response = login_client_for(staff_by_role[Role.ADMINISTRATOR]).post(
        "/staff/",
        {"username": "X", "full_name": "新民警", "role": "officer", "password": "Longenough1"},
    )
    assert "用户名须以小写字母开头" in response.content.decode()
    assert not Staff.objects.filter(full_name="新民警").exists()
