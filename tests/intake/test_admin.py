import pytest

from intake import services
from tests.intake.factories import IntakeRequestFactory

pytestmark = pytest.mark.django_db


def test_admin_pages_for_intake_models_load(client, world):
    request = IntakeRequestFactory(institution=world.uio)
    services.request_route(request=request, user=world.screener, facilities=[world.facility])
    admin = world.platform_admin
    admin.is_superuser = True
    admin.save()
    client.force_login(admin)
    for url in [
        "/admin/intake/intakerequest/",
        f"/admin/intake/intakerequest/{request.pk}/change/",
        "/admin/intake/apiclient/",
        f"/admin/intake/apiclient/{world.client.pk}/change/",
        "/admin/intake/routing/",
        "/admin/intake/webhookdelivery/",
    ]:
        assert client.get(url).status_code == 200, url
    # Keys are only made by the command, which shows the key once.
    assert client.get("/admin/intake/apiclient/add/").status_code == 403
