"""Template tags of the window's and kiosk's devices: the ID-card reader's configuration."""

from django import template
from django.conf import settings
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def id_reader_config() -> SafeString:
    """The reader service setting for static/devices/id_reader.js (a PC may override it)."""
    return format_html(
        '<span hidden data-id-reader-config="{}"></span>', getattr(settings, "ID_READER", "auto")
    )
