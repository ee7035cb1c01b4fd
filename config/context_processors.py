from django.conf import settings

from core.navigation import nav_items_for


def site(request):
    """Values every page needs: whether this is a debug instance and the menu."""
    return {
        "debug_instance": settings.DEBUG,
        "nav_items": nav_items_for(getattr(request, "user", None)),
    }
