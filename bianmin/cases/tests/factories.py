"""factory-boy factories of the cases tests (and the foreign rows the cases tests need)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import factory

from bianmin.cases.services import ApplicantInput
from bianmin.core import clock
from bianmin.identity.enums import Decision, Liveness
from bianmin.identity.models import FaceCheck, FaceConsent
from bianmin.people.idnumber import make_id_number


class FaceConsentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaceConsent

    center = factory.SelfAttribute("person.center")
    purpose = "领证"
    expires_at = factory.LazyFunction(lambda: clock.now() + timedelta(minutes=10))


class FaceCheckFactory(factory.django.DjangoModelFactory):
    """A finished 1:1 face check; by default a live match made just now (what pickup accepts)."""

    class Meta:
        model = FaceCheck

    center = factory.SelfAttribute("person.center")
    consent = factory.SubFactory(
        FaceConsentFactory,
        person=factory.SelfAttribute("..person"),
        officer=factory.SelfAttribute("..officer"),
    )
    score = 0.82
    threshold = 0.6
    reject_threshold = 0.4
    decision = Decision.MATCH
    liveness = Liveness.PASSED
    model_name = "test"
    model_version = "1"
    frame_count = 1
    frames_sha256 = factory.LazyFunction(lambda: hashlib.sha256(b"frame").hexdigest())


class ApplicantFactory(factory.Factory):
    """An applicant as the window registers one: a valid Tongguan ID number and a mobile."""

    class Meta:
        model = ApplicantInput

    class Params:
        seq = factory.Sequence(lambda n: n)

    name = "王建国"
    id_number = factory.LazyAttribute(
        lambda o: make_id_number("610522", date(1980 + o.seq % 30, 1 + o.seq % 12, 1), 100 + o.seq)
    )
    gender = factory.LazyAttribute(lambda o: "male" if (100 + o.seq) % 2 else "female")
    phone = factory.LazyAttribute(lambda o: f"139{o.seq:08d}")
