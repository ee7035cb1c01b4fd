#!/usr/bin/env python3
"""Set up and run Labtorget on a fresh machine with nothing but Python 3.11.

    python3.11 run.py demo    # portal with the demo register on http://127.0.0.1:8000 (SQLite, eager Celery)
    python3.11 run.py test    # the whole test suite (SQLite unless DATABASE_URL says otherwise)

Both create `.venv` and install the requirements on first use (again when a requirements file changes).
Extra arguments after `test` go to pytest; after `demo`, an address such as 0.0.0.0:8000.
"""

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".requirements-stamp"


def ensure_environment() -> None:
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256(
        b"".join((ROOT / name).read_bytes() for name in ("requirements.txt", "requirements-dev.txt"))
    ).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != digest:
        print("Installing requirements ...", flush=True)
        subprocess.check_call([PYTHON, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        subprocess.check_call([PYTHON, "-m", "pip", "install", "--quiet", "-r", ROOT / "requirements-dev.txt"])
        STAMP.write_text(digest)


def manage(*args: str) -> None:
    subprocess.check_call([PYTHON, ROOT / "manage.py", *args], cwd=ROOT)


def site_url_for(address: str) -> str:
    """The portal's own address for `runserver`'s ADDRESS ("127.0.0.1:8000", "0.0.0.0:8080", "8001"): what e-mailed
    links and the demo's calendar feeds point to. A server listening on every interface is reached on 127.0.0.1."""
    host, _colon, port = address.rpartition(":")
    if host in ("", "0.0.0.0", "0", "[::]"):
        host = "127.0.0.1"
    return f"http://{host}:{port}"


def demo(extra: list[str]) -> None:
    address = extra[0] if extra else "127.0.0.1:8000"
    # E-mailed links (confirm your address, a request's answer link) and the demo's calendar feeds use SITE_URL,
    # so it follows the address the demo runs on unless it is set.
    os.environ.setdefault("SITE_URL", site_url_for(address))
    # The demo serves its own external calendar feeds on this machine (docs/federation.md).
    os.environ.setdefault("EXTERNAL_CALENDARS_ALLOW_PRIVATE_HOSTS", "1")
    manage("migrate", "--no-input")
    manage("load_demo_register", "--with-demo-users")
    print(f"\nLabtorget runs on {os.environ['SITE_URL']}/  (demo password: see README.md)\n", flush=True)
    os.execv(PYTHON, [str(PYTHON), str(ROOT / "manage.py"), "runserver", address])


def test(extra: list[str]) -> None:
    result = subprocess.call([PYTHON, "-m", "pytest", *extra], cwd=ROOT)
    sys.exit(result)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"demo", "test"}:
        sys.exit(__doc__)
    ensure_environment()
    {"demo": demo, "test": test}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
