import factory
from factory.django import DjangoModelFactory

from bianmin.standards.enums import ExamScope, QuestionKind
from bianmin.standards.models import Exam, Question


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    category = "household"
    kind = QuestionKind.SINGLE
    text = factory.Sequence(lambda n: f"第 {n} 题：16 岁首次申领身份证需要哪些材料？")
    options = factory.LazyFunction(lambda: ["户口簿", "结婚证", "驾驶证"])
    answer = factory.LazyFunction(lambda: ["A"])


class ExamFactory(DjangoModelFactory):
    class Meta:
        model = Exam

    name = factory.Sequence(lambda n: f"考试 {n}")
    scope = ExamScope.ITEM
    question_count = 3
    time_limit_minutes = 20
    pass_mark = 60
