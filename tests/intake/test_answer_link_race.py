"""The contact person's link is single use even when it is sent many times at once (a double click, a mail
scanner and the person): exactly one answer is stored, every other attempt sees the used-link page."""

import threading

import pytest
from django.db import connections
from django.test import Client

from intake import answer_links, services
from intake.choices import RoutingStatus
from intake.models import RequestEvent, Routing
from tests.factories import ContactPersonFactory, FacilityFactory
from tests.intake.factories import IntakeRequestFactory

PARALLEL = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_answers_through_one_link_store_exactly_one(world):
    facility = FacilityFactory(institution=world.ntnu)
    ContactPersonFactory(facility=facility)
    request = IntakeRequestFactory(institution=world.uio)
    (routing,) = services.request_route(request=request, user=world.screener, facilities=[facility])
    path = f"/intake/answer/{answer_links.answer_token_make(routing)}/"
    barrier = threading.Barrier(PARALLEL)
    statuses, lock = [], threading.Lock()

    def answer(index):
        try:
            barrier.wait(timeout=30)
            response = Client().post(
                path, {"answer": "decline", "answered_by": f"Per {index}", "d-reason": "no_capacity"}
            )
            with lock:
                statuses.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(index,)) for index in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [200] + [410] * (PARALLEL - 1)
    routing = Routing.objects.get(pk=routing.pk)
    assert routing.status == RoutingStatus.DECLINED and routing.answer_nonce == ""
    assert RequestEvent.objects.filter(request=request, to_status="in_screening").count() == 1
