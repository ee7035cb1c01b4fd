"""Pages that belong to the whole site rather than to one app."""

from django.shortcuts import render


def accessibility_statement(request):
    """Tilgjengelighetserklæring: what the portal does for universal design and how to report a barrier."""
    return render(request, "core/accessibility.html")


def privacy_notice(request):
    """Personvernerklæring: what the portal stores about people, why, and for how long."""
    return render(request, "core/privacy.html")
