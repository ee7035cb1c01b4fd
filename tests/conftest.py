"""Shared test set-up.

Tests marked `postgres` need PostgreSQL features (exclusion constraints, Norwegian text search, real parallel
connections). On SQLite they are skipped, unless LABTORGET_REQUIRE_POSTGRES=1, which CI sets when it runs the
suite against PostgreSQL: then a skip would hide a broken set-up, so it fails instead. LABTORGET_REQUIRE_BROKER=1
does the same for tests marked `broker`, which start a real Celery worker against the Redis named by
LABTORGET_TEST_BROKER_URL (the rest of the suite keeps running tasks eagerly). Tests marked `browser`
(tests/browser: journeys in Chromium) run only with LABTORGET_BROWSER=1, which CI sets in their own step.
"""

import os

import pytest
from django.conf import settings


def pytest_collection_modifyitems(config, items):
    on_postgres = settings.DATABASE_IS_POSTGRES
    require_postgres = os.environ.get("LABTORGET_REQUIRE_POSTGRES") == "1"
    has_broker = bool(os.environ.get("LABTORGET_TEST_BROKER_URL"))
    require_broker = os.environ.get("LABTORGET_REQUIRE_BROKER") == "1"
    browser = os.environ.get("LABTORGET_BROWSER") == "1"
    if browser and any("browser" in item.keywords for item in items):
        _require_browser_tools()
    for item in items:
        if "browser" in item.keywords and not browser:
            item.add_marker(pytest.mark.skip(reason="a browser journey: runs with LABTORGET_BROWSER=1 (.ci/run)"))
        if "postgres" in item.keywords and not on_postgres:
            if require_postgres:
                raise pytest.UsageError("LABTORGET_REQUIRE_POSTGRES=1 but DATABASE_URL does not point at PostgreSQL")
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgres://...)"))
        if "broker" in item.keywords and not has_broker:
            if require_broker:
                raise pytest.UsageError("LABTORGET_REQUIRE_BROKER=1 but LABTORGET_TEST_BROKER_URL is not set")
            item.add_marker(pytest.mark.skip(reason="needs a broker (set LABTORGET_TEST_BROKER_URL=redis://...)"))


def _require_browser_tools() -> None:
    """With LABTORGET_BROWSER=1 a missing Playwright or Chromium is an error, never a skip."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("playwright") is None:
        raise pytest.UsageError(
            "LABTORGET_BROWSER=1 but Playwright is not installed: pip install -r requirements-browser.txt"
        )
    chromium = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not shutil.which(chromium):
        raise pytest.UsageError(f"LABTORGET_BROWSER=1 but there is no Chromium at {chromium}: apt-get install chromium")


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Tests render templates without running collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """The production hasher is slow on purpose, for every user; tests create hundreds."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's language (Bokmål), whatever an earlier test in the process activated."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Rate limits count in Django's cache: each test starts with none used (and leaves none to the next)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_register_on_the_network(settings):
    """No test reaches Brønnøysundregistrene: the address refuses connections at once (the register "cannot be
    reached"); tests of the register answer with recorded responses (tests/accounts/brreg)."""
    settings.BRREG_BASE_URL = "http://127.0.0.1:9/enhetsregisteret/api"


@pytest.fixture
def national_agreement_templates(db):
    """The national standard agreements a data migration adds. A transactional test on PostgreSQL empties every
    table, so tests that need them ensure they are there (the migration's own get_or_create, run again)."""
    import importlib

    from django.apps import apps

    importlib.import_module("agreements.migrations.0002_national_standard_templates").create(apps, None)
