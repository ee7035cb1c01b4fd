"""StateAidAlert moved from the booking app to accounting: a database at the old schema keeps every row, and the
permissions given on the model keep working, forwards and back."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounting.models import StateAidAlert
from tests.factories import AcademicUserFactory, ResourceFactory

# The schema before the move: booking's last migration before it, and no accounting app.
BEFORE_THE_MOVE = [("booking", "0102_outgoing_email"), ("accounting", None)]
ROWS = {(2026, "warning", Decimal("0.1600")), (2026, "alert", Decimal("0.2150")), (2025, "warning", Decimal("0.1500"))}


def migrate(targets=None):
    """Migrate the test database to `targets` (the latest migrations when None); the models as they were there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    executor.loader.build_graph()  # what is applied now
    return executor.loader.project_state([target for target in targets if target[1] is not None]).apps


def stored_rows(model) -> set:
    return set(model.objects.values_list("year", "level", "share"))


@pytest.mark.django_db(transaction=True)
def test_every_alert_and_permission_survives_the_move_and_a_way_back():
    ContentType.objects.get_for_model(StateAidAlert)  # as post_migrate made it on the live database
    old_apps = migrate(BEFORE_THE_MOVE)
    try:
        old_alert = old_apps.get_model("booking", "StateAidAlert")
        resource = ResourceFactory()
        for year, level, share in ROWS:
            old_alert.objects.create(resource_id=resource.id, year=year, level=level, share=share)
        old_type = ContentType.objects.get(app_label="booking", model="stateaidalert")
        auditors = Group.objects.create(name="Auditors")
        auditors.permissions.add(Permission.objects.get(content_type=old_type, codename="view_stateaidalert"))
        auditor = AcademicUserFactory()
        auditor.groups.add(auditors)

        migrate()

        assert stored_rows(StateAidAlert) == ROWS
        assert set(StateAidAlert.objects.values_list("resource_id", flat=True)) == {resource.id}
        new_type = ContentType.objects.get_for_model(StateAidAlert)
        assert (new_type.id, new_type.app_label) == (old_type.id, "accounting")
        assert not ContentType.objects.filter(app_label="booking", model="stateaidalert").exists()
        assert type(auditor).objects.get(pk=auditor.pk).has_perm("accounting.view_stateaidalert")

        old_apps = migrate(BEFORE_THE_MOVE)
        assert stored_rows(old_apps.get_model("booking", "StateAidAlert")) == ROWS
        assert ContentType.objects.get(pk=old_type.id).app_label == "booking"

        migrate()
        assert stored_rows(StateAidAlert) == ROWS
        assert ContentType.objects.get_for_model(StateAidAlert).id == old_type.id
    finally:
        migrate()
