from tests.intake.conftest import _clear_throttle_cache, quote_resource, world  # noqa: F401  # shared fixtures
