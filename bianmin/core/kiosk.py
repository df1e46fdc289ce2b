"""Requests from the hall's self-service kiosks: look-ups by an ID card read at the kiosk are
accepted only from the kiosk network (setting KIOSK_NETWORKS, a list of CIDRs; default the
loopback and private ranges a hall LAN uses)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest

from bianmin.core.client_ip import client_ip

DEFAULT_KIOSK_NETWORKS = ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]


def from_kiosk_network(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    networks = getattr(settings, "KIOSK_NETWORKS", None) or DEFAULT_KIOSK_NETWORKS
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)
