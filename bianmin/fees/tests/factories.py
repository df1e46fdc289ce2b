"""factory-boy factories of the fees tests (and real cases built through the cases services)."""

from datetime import date

import factory
from factory.django import DjangoModelFactory

from bianmin.cases import services as case_services
from bianmin.cases.models import Case
from bianmin.fees.enums import PolicyScope
from bianmin.fees.models import Campaign, WaiverPolicy


class WaiverPolicyFactory(DjangoModelFactory):
    """A center's own full waiver of JG01 (pass `center=`)."""

    class Meta:
        model = WaiverPolicy

    code = factory.Sequence(lambda n: f"TEST-{n + 1}")
    name = factory.Sequence(lambda n: f"测试减免{n + 1}")
    reason = "测试减免依据"
    scope = PolicyScope.CENTER
    targets = factory.LazyFunction(lambda: ["JG01"])
    valid_from = date(2026, 1, 1)
    precedence = 50


class ProvincePolicyFactory(WaiverPolicyFactory):
    scope = PolicyScope.PROVINCE
    center = None


class CampaignFactory(DjangoModelFactory):
    """A summer campaign of a center (pass `center=` and `policy=`)."""

    class Meta:
        model = Campaign

    name = "2026年暑期中小学生免费办证"
    starts_on = date(2026, 7, 1)
    ends_on = date(2026, 8, 31)
    item_codes = factory.LazyFunction(lambda: ["HZ01", "HZ02", "HZ03"])
    min_age = 6
    max_age = 18
    requires_student = True
    extra_windows = factory.LazyFunction(lambda: ["W11", "W12"])


class CaseFactory(factory.Factory):
    """A real case registered through `cases.services.case_create` (pass `actor=` and
    `id_number=`)."""

    class Meta:
        model = Case

    item_code = "HZ02"
    name = "王小明"
    gender = "male"
    groups: tuple[str, ...] = ()
    fee_variant = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # type: ignore[no-untyped-def]
        return case_services.case_create(
            actor=kwargs["actor"],
            item_code=kwargs["item_code"],
            groups=list(kwargs["groups"]),
            fee_variant=kwargs["fee_variant"],
            applicant=case_services.ApplicantInput(
                name=kwargs["name"],
                id_number=kwargs["id_number"],
                gender=kwargs["gender"],
                phone="13912345678",
            ),
        )
