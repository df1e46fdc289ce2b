"""factory-boy factories of the cases tests (and the foreign rows the cases tests need)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import factory

from bianmin.core import clock
from bianmin.identity.enums import Decision, Liveness
from bianmin.identity.models import FaceCheck, FaceConsent


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
