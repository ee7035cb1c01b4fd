"""Journeys in a real browser: Playwright for Python driving Debian's Chromium against a live server.

The server is `manage.py runserver` in a subprocess, on its own database with the demo register and demo users
(`load_demo_register --with-demo-users`), the way a newcomer runs the portal. Its database is
LABTORGET_BROWSER_DATABASE_URL (CI: PostgreSQL), else a new SQLite file in a temporary directory; it is migrated
and filled once per session. The browser is the system's Chromium (CHROMIUM_PATH, default /usr/bin/chromium),
headless; Playwright's own browser download is never used.

The journeys are marked `browser` and run only with LABTORGET_BROWSER=1 (`.ci/run` sets it in its own step);
without Playwright or Chromium that is an error, not a skip. Every page a journey visits is checked with axe-core
(tests/browser/vendor/axe.min.js): a serious or critical violation fails the journey, and so does anything the
Content-Security-Policy blocked on the page (a `securitypolicyviolation` event or the console's report of one).
axe is loaded as an init script, which the policy does not govern, so the portal's own policy stays on.
Screenshots go to LABTORGET_BROWSER_ARTIFACTS (default .browser-artifacts/), with axe's findings as JSON.
"""

import email
import email.policy
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
DEMO_PASSWORD = os.environ.get("DEMO_USER_PASSWORD", "labtorget-demo")
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
ARTIFACTS = Path(os.environ.get("LABTORGET_BROWSER_ARTIFACTS", ROOT / ".browser-artifacts"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip


@pytest.fixture(scope="session")
def portal(portal_server) -> str:
    """The address of a live portal with the demo register."""
    return portal_server[0]


@pytest.fixture(scope="session")
def portal_server():
    """(address, e-mail folder) of a live portal with the demo register; the server stops after the session.
    LABTORGET_BROWSER_PORTAL=http://... uses a portal that is already running (with the demo register) instead,
    with LABTORGET_BROWSER_MAIL_DIR the folder its file e-mail backend writes to."""
    if os.environ.get("LABTORGET_BROWSER_PORTAL"):
        yield os.environ["LABTORGET_BROWSER_PORTAL"].rstrip("/"), os.environ.get("LABTORGET_BROWSER_MAIL_DIR", "")
        return
    workdir = Path(tempfile.mkdtemp(prefix="labtorget-browser-"))
    port = _free_port()
    address = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("LABTORGET_BROWSER_DATABASE_URL") or f"sqlite:///{workdir / 'portal.sqlite3'}",
        "SITE_URL": address,
        "DJANGO_DEBUG": "1",
        "CELERY_BROKER_URL": "",
        "PYTHONUNBUFFERED": "1",
        # Every e-mail the portal sends is a file here, which the journeys open as the recipient would.
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(workdir / "mail"),
    }
    env.pop("SECRET_KEY", None)
    started = time.monotonic()
    _manage(env, "migrate", "--no-input")
    _manage(env, "load_demo_register", "--with-demo-users")
    log = open(workdir / "server.log", "w")  # noqa: SIM115 (open for the server's whole life)
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(address + "/", timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError("the portal did not start:\n" + (workdir / "server.log").read_text()) from None
                time.sleep(0.2)
        print(f"\nportal with the demo register up at {address} in {time.monotonic() - started:.1f} s")
        yield address, env["EMAIL_FILE_PATH"]
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)


class Mailbox:
    """The e-mails the portal sent (the file backend's folder, LABTORGET_BROWSER_MAIL_DIR): what a recipient reads."""

    def __init__(self, folder: Path):
        self.folder = folder

    def messages_to(self, address: str) -> list[email.message.EmailMessage]:
        found = []
        for path in sorted(self.folder.glob("*.log"), key=lambda p: p.stat().st_mtime):
            for raw in re.split(rb"\n-{79}\n", path.read_bytes()):
                if raw.strip():
                    message = email.message_from_bytes(raw.strip(), policy=email.policy.default)
                    if address.lower() in str(message["To"]).lower():
                        found.append(message)
        return found

    def link(self, address: str, pattern: str, timeout: float = 15) -> str:
        """The first address matching `pattern` in the newest e-mail to `address` that has one (waits for it)."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.messages_to(address)):
                body = message.get_body(preferencelist=("plain", "html")).get_content()
                match = re.search(pattern, body)
                if match:
                    return match.group(0)
            if time.monotonic() > deadline:
                raise AssertionError(f"no e-mail to {address} with {pattern} in {self.folder}")
            time.sleep(0.3)


@pytest.fixture(scope="session")
def mailbox(portal_server) -> Mailbox:
    folder = portal_server[1]
    if not folder:
        pytest.fail("LABTORGET_BROWSER_MAIL_DIR: the e-mail folder of the portal named by LABTORGET_BROWSER_PORTAL")
    return Mailbox(Path(folder))


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        yield browser
        browser.close()


# Collects what the page's Content-Security-Policy blocks (an init script runs before the page's own scripts).
CSP_LISTENER = """
window.labtorgetCspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.labtorgetCspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
    `(${event.sourceFile || ""}:${event.lineNumber || ""})`);
});
"""


class Visit:
    """One person in one browser context: logs in, checks every page with axe, saves screenshots."""

    def __init__(self, browser, portal: str, viewport: str, name: str, language: str = "nb"):
        self.portal, self.viewport, self.name = portal, viewport, name
        self.context = browser.new_context(
            viewport=VIEWPORTS[viewport], locale="nb-NO" if language == "nb" else "en-GB", accept_downloads=True
        )
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(path=str(AXE))
        self.context.add_init_script(CSP_LISTENER)
        self.page = self.context.new_page()
        self.findings: list[dict] = []
        self.shots = 0
        self.console_csp: list[str] = []
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console_csp.append(message.text)

    def csp_violations(self) -> list[str]:
        """What the Content-Security-Policy blocked on the current page, and every console report of a block."""
        seen = self.page.evaluate("window.labtorgetCspViolations || []")
        return [*seen, *self.console_csp]

    def goto(self, path: str):
        self.page.goto(self.portal + path)
        return self.page

    def log_in(self, email: str) -> None:
        self.goto("/accounts/login/")
        self.page.get_by_label("E-post").fill(email)
        self.page.get_by_label("Passord").fill(DEMO_PASSWORD)
        self.page.locator("main").get_by_role("button", name="Logg inn").click()
        self.page.wait_for_load_state()
        assert "/accounts/login/" not in self.page.url, f"{email} could not log in"

    def check(self, label: str) -> None:
        """axe-core on the page as it is now, no horizontal scrolling, and a screenshot."""
        page = self.page
        page.wait_for_load_state()
        width = page.evaluate("document.documentElement.scrollWidth")
        viewport_width = VIEWPORTS[self.viewport]["width"]
        assert width <= viewport_width, f"{label}: the page scrolls sideways ({width} px > {viewport_width} px)"
        blocked = self.csp_violations()
        assert not blocked, f"{label}: the Content-Security-Policy blocked: {blocked}"
        result = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
        )
        self.findings.append({"page": label, "url": page.url, "viewport": self.viewport, "violations": result})
        self.shots += 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        shot = ARTIFACTS / f"{self.name}-{self.viewport}-{self.shots:02d}-{label}.png"
        page.screenshot(path=str(shot), full_page=True)
        serious = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not serious, f"{label}: axe found serious or critical violations: {json.dumps(serious, indent=1)}"

    def close(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / f"{self.name}-{self.viewport}-axe.json").write_text(json.dumps(self.findings, indent=1))
        self.context.close()


@pytest.fixture
def visit(chromium, portal, request):
    """visit(name, viewport) -> a Visit; all are closed (and their axe findings written) after the test."""
    opened = []

    def open_visit(name: str, viewport: str, language: str = "nb") -> Visit:
        opened.append(Visit(chromium, portal, viewport, f"{request.node.originalname}-{name}", language))
        return opened[-1]

    yield open_visit
    for one in opened:
        one.close()
