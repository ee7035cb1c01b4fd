from catalogue.models import Institution


def register(request):
    """Tells every page whether the register holds demo data, so base.html can say so.

    Panels are rendered with the same request, so the answer is kept on it: one query per page, not per panel.
    """
    if not hasattr(request, "_labtorget_demo_register"):
        request._labtorget_demo_register = Institution.objects.filter(is_demo=True).exists()
    return {"demo_register": request._labtorget_demo_register}
