"""API schemas of the lost-and-found context (the shapes are contracts; see the README)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class ErrorOut(Schema):
    code: str
    message: str


class FoundItemCreatedOut(Schema):
    number: str
    status: str
    claim_deadline: dt.date | None
    owner_notified: bool


class PublicItemOut(Schema):
    number: str
    category: str
    description: str
    found_on: dt.date
    place: str
    claim_deadline: dt.date | None


class LostReportIn(Schema):
    category: str
    description: str
    lost_on: str
    place: str
    phone: str
    center: str = ""  # optional center code; the installation's default center otherwise


class NumberOut(Schema):
    number: str


class PublishedOut(Schema):
    published_on: dt.date
    claim_deadline: dt.date


class DeadlineOut(Schema):
    claim_deadline: dt.date


class ProxyIn(Schema):
    authorization: str = ""
    name: str = ""


class ClaimIn(Schema):
    id_number: str
    face_check_id: str | None = None
    control_answers: str = ""
    proxy: ProxyIn | None = None


class HandoverOut(Schema):
    handover_url: str
