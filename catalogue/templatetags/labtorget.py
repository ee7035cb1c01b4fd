from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from config.navigation import panels_for

register = template.Library()


@register.simple_tag(takes_context=True)
def render_panels(context, slot, obj=None):
    """Render every panel other apps registered for `slot` (see config/navigation.py)."""
    request = context.get("request")
    html = [
        render_to_string(panel["template_name"], {**panel["context"], "panel_object": obj}, request=request)
        for panel in panels_for(slot, request, obj)
    ]

    return mark_safe("".join(html))
