"""The accepted agreement's PDF, for those who may read it (agreements.policies)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse

from agreements import policies, selectors


@login_required
def agreement_pdf(request, pk):
    acceptance = selectors.acceptance_for(pk)
    if acceptance is None or not policies.can_read_agreement(request.user, acceptance):
        raise Http404
    response = HttpResponse(bytes(acceptance.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="agreement-{acceptance.pk}.pdf"'
    return response
