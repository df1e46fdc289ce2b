import factory

from bianmin.core.masking import mask_phone
from bianmin.family_desk.models import FamilyMember, Procedure, Unit
from bianmin.family_desk.services.family import phone_key


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试单位{n}")
    location = "一楼"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    unit = factory.SubFactory(UnitFactory, center=factory.SelfAttribute("..center"))
    name = factory.Sequence(lambda n: f"测试事项{n}")
    materials = "居民身份证\n户口簿"
    fee = "免费"
    time_limit = "5个工作日"
    time_limit_workdays = 5
    place = "一楼"


class FamilyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FamilyMember

    center = factory.SelfAttribute("officer.center")
    relation = "spouse"
    name = "李秀兰"
    phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    phone_index = factory.LazyAttribute(lambda o: phone_key(o.phone))
    phone_masked = factory.LazyAttribute(lambda o: mask_phone(o.phone))
