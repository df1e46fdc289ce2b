"""Demo of 刷脸办 from the command line: consent, then a 1:1 check of an image sequence.

    manage.py face_demo 610522198001010011 ~/my-burst/ --officer officer01

The images (JPEG/PNG, sorted by file name) play the camera burst: 5 or more frames get the
liveness challenge (head turn, or blink when FACE_LIVENESS_BLINK_ENABLED), one photo is
compared without liveness. Prints the result and the audit entry id; stores no image.
"""

from pathlib import Path
from typing import Any, cast

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bianmin.core.actors import StaffActor
from bianmin.core.errors import DomainError
from bianmin.identity.services import face_consent_record, face_verify, liveness_prompt

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png"}


class Command(BaseCommand):
    help = "Record a consent and verify an image sequence against a resident's registry photo."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("id_number", help="the resident's ID number (must have a photo)")
        parser.add_argument("folder", help="folder of JPEG/PNG frames, in file-name order")
        parser.add_argument("--officer", default="officer01", help="acting officer's username")
        parser.add_argument("--purpose", default="办理业务身份核验")
        parser.add_argument("--guardian-name", default="")
        parser.add_argument("--guardian-id-number", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["folder"]).expanduser()
        if not folder.is_dir():
            raise CommandError(f"not a folder: {folder}")
        paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            raise CommandError(f"no .jpg/.jpeg/.png files in {folder}")
        staff = get_user_model().objects.filter(username=options["officer"]).first()
        if staff is None:
            raise CommandError(f"no staff account {options['officer']!r}")
        officer = cast(StaffActor, staff)
        try:
            consent = face_consent_record(
                actor=officer,
                id_number=options["id_number"],
                purpose=options["purpose"],
                guardian_name=options["guardian_name"],
                guardian_id_number=options["guardian_id_number"],
            )
            self.stdout.write(f"consent {consent.pk} recorded (expires {consent.expires_at:%H:%M})")
            self.stdout.write(f"frames: {len(paths)} from {folder}; challenge: {liveness_prompt()}")
            result = face_verify(
                actor=officer,
                id_number=options["id_number"],
                consent_id=str(consent.pk),
                frames=[p.read_bytes() for p in paths],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        check = result.check
        self.stdout.write(
            f"check {check.pk}: decision={check.decision} ({check.get_decision_display()}) "
            f"score={check.score:.4f} threshold={check.threshold:.3f} "
            f"reject_below={check.reject_threshold:.3f} liveness={check.liveness}"
            f"{' (' + check.liveness_code + ')' if check.liveness_code else ''} "
            f"model={check.model_name}/{check.model_version}"
        )
        self.stdout.write(
            f"audit entry {result.audit_entry_id} (face_verified): score, decision and "
            f"frames sha256 {check.frames_sha256[:16]}…; no image stored"
        )
