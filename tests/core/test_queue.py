"""Queueing tasks after the commit by their registered name (core.queue)."""

import ast
import os
import pathlib
import subprocess
import sys
import threading
import time
from unittest import mock

import pytest
from celery import current_app, shared_task
from django.db import transaction

from core.queue import drains_forget, task_drain_now, task_queue_after_commit

pytestmark = pytest.mark.django_db

ROOT = pathlib.Path(__file__).resolve().parents[2]

ran = []


@shared_task(name="tests.core.record")
def record(value: int) -> int:
    ran.append(value)
    return value


def test_a_task_queued_by_its_name_runs_after_the_commit_in_this_process_when_eager(
    django_capture_on_commit_callbacks,
):
    ran.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            task_queue_after_commit("tests.core.record", 5)
            assert ran == []
    assert ran == [5]


def test_a_task_name_nobody_registered_is_refused_at_once_not_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(LookupError, match="tests.core.missing"):
        task_queue_after_commit("tests.core.missing", 5)
    assert callbacks == []


def test_a_web_process_finds_every_apps_tasks_by_name_without_importing_them():
    """A fresh process (as a web worker starts) has imported no tasks module; the names are still found."""
    script = (
        "import django; django.setup()\n"
        "import sys\n"
        "from core.queue import task_lookup\n"
        "assert 'intake.tasks' not in sys.modules and 'core.tasks' not in sys.modules\n"
        "print(task_lookup('intake.tasks.deliver_webhook').name, task_lookup('core.tasks.send_due_emails').name)\n"
    )
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["intake.tasks.deliver_webhook", "core.tasks.send_due_emails"]


def test_no_service_imports_a_task():
    """Services name the task they queue; importing a tasks module (at the top or inside a function) is the cycle
    that core.queue exists to avoid."""
    services = [*ROOT.glob("*/services.py"), *ROOT.glob("*/services/*.py"), *ROOT.glob("*/emails.py")]
    services += [path for path in ROOT.glob("core/*.py") if path.name != "tasks.py"]
    assert services
    offenders = []
    for path in services:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            if any(name.split(".")[-1] == "tasks" or ".tasks." in name for name in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


class FakeTask:
    """Stands for a Celery task in front of a broker: records what is queued, or fails as an unreachable one."""

    name = "tests.drain"

    def __init__(self, *, reachable=True, hold=None):
        self.reachable, self.hold, self.queued = reachable, hold, []

    def apply_async(self, args=(), countdown=None):
        if self.hold is not None:
            self.hold.wait(timeout=10)
        if not self.reachable:
            from kombu.exceptions import OperationalError

            raise OperationalError("unreachable")
        self.queued.append(countdown)


@pytest.fixture
def non_eager():
    drains_forget()
    previous = current_app.conf.task_always_eager
    current_app.conf.update(task_always_eager=False)
    try:
        yield
    finally:
        current_app.conf.update(task_always_eager=previous)
        drains_forget()


def test_the_drain_is_queued_once_a_second_with_a_countdown(non_eager):
    task = FakeTask()
    for _ in range(5):
        task_drain_now(task, within=1.0, if_unreachable=lambda: pytest.fail("the broker is reachable"))
    assert task.queued == [1.0]
    with mock.patch("time.monotonic", return_value=time.monotonic() + 1.01):
        task_drain_now(task, within=1.0, if_unreachable=lambda: None)
    assert task.queued == [1.0, 1.0]


def test_with_the_broker_down_every_commit_sends_its_own_emails_even_at_the_same_moment(non_eager):
    """Two threads of one web process commit while the broker hangs and then fails: neither is skipped."""
    hold = threading.Event()
    task = FakeTask(reachable=False, hold=hold)
    sent = []
    threads = [
        threading.Thread(
            target=task_drain_now,
            args=(task,),
            kwargs={"within": 1.0, "if_unreachable": lambda name=name: sent.append(name)},
        )
        for name in ("A", "B")
    ]
    for thread in threads:
        thread.start()
    time.sleep(0.2)
    hold.set()
    for thread in threads:
        thread.join()
    assert sorted(sent) == ["A", "B"]
