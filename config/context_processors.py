from django.conf import settings

from core.navigation import nav_items_for


def site(request):
    """Values every page needs: the OIDC providers on offer and whether this is a debug instance."""
    return {
        "oidc_providers": settings.OIDC_PROVIDERS,
        "debug_instance": settings.DEBUG,
        "nav_items": nav_items_for(getattr(request, "user", None)),
    }
