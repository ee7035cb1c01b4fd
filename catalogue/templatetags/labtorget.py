import json

from django import template
from django.template.loader import render_to_string
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

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


@register.simple_tag
def facet_options(values):
    """The options of one search facet (catalogue.views._facet_links), each a link that sets or removes it with its
    count, as list items. One call per facet rather than a template loop: the facets of a national register's
    search have some hundred options, and a loop renders eight template nodes for each."""
    yes = gettext("Yes")  # the one option of a yes/no facet (open to industry) has no label of its own
    return format_html_join(
        "\n",
        '<li><a href="{}" {}><span class="checkbox" aria-hidden="true">{}</span> {}</a> <span class="count">({})</span>'
        "</li>",
        (
            (
                value["url"],
                mark_safe('aria-current="true" class="active"') if value["active"] else "",
                "☑" if value["active"] else "☐",
                value["label"] or yes,
                localize(value["count"]),
            )
            for value in values
        ),
    )
