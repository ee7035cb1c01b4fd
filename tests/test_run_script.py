"""`run.py demo ADDRESS`: e-mailed links and the demo's own calendar feeds follow the address the demo runs on."""

import pytest

import run


@pytest.mark.parametrize(
    ("address", "site_url"),
    [
        ("127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("8001", "http://127.0.0.1:8001"),  # runserver's port alone
        ("0.0.0.0:8080", "http://127.0.0.1:8080"),  # every interface: reached on this machine
        ("localhost:9000", "http://localhost:9000"),
    ],
)
def test_the_demo_address_becomes_the_site_url(address, site_url):
    assert run.site_url_for(address) == site_url


def test_the_demo_sets_site_url_before_it_loads_the_register_and_keeps_one_that_is_set(monkeypatch):
    seen = []
    monkeypatch.setattr(run, "manage", lambda *args: seen.append((args, run.os.environ.get("SITE_URL"))))
    monkeypatch.setattr(run.os, "execv", lambda *args: seen.append(("execv", args[1][-1])))
    for name in ("SITE_URL", "EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS"):  # set by the demo; gone again after the test
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    run.demo(["127.0.0.1:8123"])
    assert seen[1] == (("load_demo_register", "--with-demo-users"), "http://127.0.0.1:8123")
    assert seen[-1] == ("execv", "127.0.0.1:8123")
    seen.clear()
    monkeypatch.setenv("SITE_URL", "https://demo.labtorget.no")
    run.demo(["127.0.0.1:8123"])
    assert seen[1][1] == "https://demo.labtorget.no"
