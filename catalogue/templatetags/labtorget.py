import json

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.navigation import panels_for

register = template.Library()

# The characters that could end a <script> element or open an HTML comment, as JSON escapes.
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def render_panels(context, slot, obj=None):
    """Render every panel other apps registered for `slot` (see config/navigation.py)."""
    request = context.get("request")
    html = [
        render_to_string(panel["template_name"], {**panel["context"], "panel_object": obj}, request=request)
        for panel in panels_for(slot, request, obj)
    ]

    return mark_safe("".join(html))


@register.filter
def json_ld(data) -> str:
    """A <script type="application/ld+json"> element whose content cannot break out of the script."""
    payload = json.dumps(data, ensure_ascii=False, default=str).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))
