"""factory-boy factories of the identity rows: a consent and a finished check, without the
face engine (for authorization and bookkeeping tests; verification tests use the engine)."""

from __future__ import annotations

from datetime import timedelta

import factory

from bianmin.core import clock
from bianmin.identity.enums import Decision, Liveness
from bianmin.identity.models import FaceCheck, FaceConsent


class FaceConsentFactory(factory.django.DjangoModelFactory[FaceConsent]):
    """A recorded, unused consent; pass ``person`` and ``officer`` (center follows the officer)."""

    class Meta:
        model = FaceConsent

    center = factory.SelfAttribute("officer.center")
    purpose = "领证身份核验"
    expires_at = factory.LazyFunction(lambda: clock.now() + timedelta(minutes=30))


class FaceCheckFactory(factory.django.DjangoModelFactory[FaceCheck]):
    """A check the engine has decided (a match, liveness passed), not yet confirmed by the
    officer; built on its own consent (used)."""

    class Meta:
        model = FaceCheck

    consent = factory.SubFactory(
        FaceConsentFactory,
        person=factory.SelfAttribute("..person"),
        officer=factory.SelfAttribute("..officer"),
        used_at=factory.LazyFunction(clock.now),
    )
    center = factory.SelfAttribute("officer.center")
    score = 0.71
    threshold = 0.563
    reject_threshold = 0.45
    decision = Decision.MATCH
    liveness = Liveness.PASSED
    liveness_challenge = "turn"
    model_name = "dlib-resnet-v1"
    model_version = "test"
    frame_count = 8
    frames_sha256 = "0" * 64
