"""The admin's list pages read the objects they show in their columns with the rows, not one query per row."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import AcademicUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_user_list_costs_the_same_queries_for_two_users_with_an_institution_or_six():
    admin = UserFactory(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin)
    AcademicUserFactory.create_batch(2)
    few = _queries(client, "/admin/accounts/user/")
    AcademicUserFactory.create_batch(4)
    assert _queries(client, "/admin/accounts/user/") == few
