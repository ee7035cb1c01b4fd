from catalogue.models import Institution


def register(request):
    """Tells every page whether the register holds demo data, so base.html can say so."""
    return {"demo_register": Institution.objects.filter(is_demo=True).exists()}
