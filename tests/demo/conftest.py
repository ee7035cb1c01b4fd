import pytest
from django.core.management import call_command


@pytest.fixture
def load(monkeypatch):
    """Run `load_demo_register` as an operator would and return what it printed."""

    def run(*args: str) -> str:
        from io import StringIO

        out = StringIO()
        call_command("load_demo_register", *args, stdout=out)
        return out.getvalue()

    monkeypatch.delenv("DEMO_USER_PASSWORD", raising=False)
    return run


@pytest.fixture
def demo_register_signals():
    """Every `demo_register_loaded` signal sent while the test runs, with its keyword arguments."""
    from catalogue.signals import demo_register_loaded

    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    demo_register_loaded.connect(receiver, weak=False)
    yield received
    demo_register_loaded.disconnect(receiver)


@pytest.fixture(autouse=True)
def _loader_alone(request):
    """These tests are about the loader itself: the other apps' receivers (prices, booking policies) are
    disconnected, unless a test is marked `with_app_receivers`, so each load stays a second, not ten."""
    from catalogue.signals import demo_register_loaded

    if request.node.get_closest_marker("with_app_receivers"):
        yield
        return
    saved = list(demo_register_loaded.receivers)
    demo_register_loaded.receivers = []
    demo_register_loaded.sender_receivers_cache.clear()
    yield
    demo_register_loaded.receivers = saved
    demo_register_loaded.sender_receivers_cache.clear()
