"""The structure the style guide promises, checked on the source: apps import each other in one direction only, no
module uses a private helper of another module, and nothing uses Django's private names."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


# Which apps each app may import (the style guide: core <- catalogue <- accounts <- pricing <- booking <- accounting,
# catalogue <- intake; reporting above them all). config wires everything together and may import any app; tools
# are development aids.
ALLOWED = {
    "core": set(),
    "catalogue": {"core"},
    "accounts": {"core", "catalogue"},
    "pricing": {"core", "catalogue", "accounts"},
    "calendars": {"core", "catalogue", "accounts"},
    "booking": {"core", "catalogue", "accounts", "pricing", "calendars"},
    "accounting": {"core", "catalogue", "accounts", "pricing", "booking", "calendars"},
    "agreements": {"core", "catalogue", "accounts"},
    "intake": {"core", "catalogue", "accounts", "agreements", "pricing", "booking"},
    # The statistics read every app; nobody imports them.
    "reporting": {
        "core",
        "catalogue",
        "accounts",
        "pricing",
        "booking",
        "accounting",
        "calendars",
        "agreements",
        "intake",
    },  # fmt: skip
}
APPS = set(ALLOWED)

# Underscore names that are documented public API: Django's Model._meta (the "Model _meta API"), and the named
# tuple methods of Python's collections, and os._exit.
DOCUMENTED_UNDERSCORE_NAMES = {"_meta", "_replace", "_asdict", "_fields", "_make", "_exit"}
# The tests' broker helper drops Celery's cached connection pools so that a test can point the default app at
# another broker; Celery has no public way to do that (its app.close() also unregisters the app). Tests only.
TEST_EXCEPTIONS = {("broker.py", "_pool"), ("broker.py", "_producer_pool")}


def _modules(*, with_tools: bool = False):
    for app in sorted(APPS | {"config"} | ({"tools"} if with_tools else set())):
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path, ast.parse(path.read_text(), filename=str(path))


def _imported_modules(tree) -> list[tuple[str, list[str], int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
    return found


def test_apps_import_each_other_in_one_direction_only():
    wrong = []
    for app, path, tree in _modules():
        if app == "config":
            continue
        for module, _names, line in _imported_modules(tree):
            other = module.split(".")[0]
            if other in APPS and other != app and other not in ALLOWED[app]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert wrong == []


# Tests that reach a private name, each with its reason.
PRIVATE_USE_EXCEPTIONS = {
    # the test takes its own panel out of the registry again; no app ever needs to
    "tests/catalogue/test_pages.py": {"navigation._panels"},
    "tests/broker.py": {"app._pool"},  # Celery's, see TEST_EXCEPTIONS
}


def _test_modules():
    for path in sorted((ROOT / "tests").rglob("*.py")):
        yield "tests", path, ast.parse(path.read_text(), filename=str(path))


def test_no_module_imports_a_private_name_of_another():
    wrong = []
    for _app, path, tree in [*_modules(with_tools=True), *_test_modules()]:
        for module, names, line in _imported_modules(tree):
            if module.split(".")[0] not in APPS | {"config"}:
                continue
            wrong.extend(f"{path.relative_to(ROOT)}:{line} imports {module}.{name}" for name in names if _private(name))
        imported = {
            alias.asname or alias.name.split(".")[-1]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in APPS | {"config"}
            for alias in node.names
        }
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                    and node.value.id in imported and node.attr not in DOCUMENTED_UNDERSCORE_NAMES):  # fmt: skip
                name = f"{node.value.id}.{node.attr}"
                if name not in PRIVATE_USE_EXCEPTIONS.get(str(path.relative_to(ROOT)), ()):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} uses {name}")
    assert wrong == []


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _library_private_names(*, with_celery: bool) -> set[str]:
    """Every `_name` that Django and DRF (and, if asked, Celery and kombu) use in their own source: their private
    parts."""
    import celery
    import django
    import kombu
    import rest_framework

    names = set()
    for package in (django, rest_framework, *((celery, kombu) if with_celery else ())):
        for path in Path(package.__file__).parent.rglob("*.py"):
            names.update(re.findall(r"\b(_[a-z][a-z0-9_]*)\b", path.read_text(errors="replace")))
    return names


def _own_private_names(trees) -> set[str]:
    """The private names the project defines itself: its functions and classes, and attributes of its own classes
    (`self._x = ...`)."""
    names = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                names.add(node.name)
            elif (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
                    and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")):  # fmt: skip
                names.add(node.attr)
    return names


@pytest.mark.parametrize("where", ["product", "tests"])
def test_nothing_uses_a_private_name_of_django(where):
    """Django's private parts (and DRF's, Celery's) change without notice between releases: no module reads or
    sets them. A name counts as theirs when their source uses it and the project does not define it on its own
    classes; the project may keep its own `_cache` attributes on objects it is given."""
    if where == "product":
        parsed = [(path, tree) for _app, path, tree in _modules(with_tools=True)]
    else:
        parsed = [(path, ast.parse(path.read_text())) for path in sorted((ROOT / "tests").rglob("*.py"))]
    everything = [tree for _app, _path, tree in _modules(with_tools=True)] + [
        ast.parse(path.read_text()) for path in sorted((ROOT / "tests").rglob("*.py"))
    ]
    own = _own_private_names(everything)
    theirs = _library_private_names(with_celery=where == "product") - DOCUMENTED_UNDERSCORE_NAMES
    wrong = []
    for path, tree in parsed:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("django", "rest_framework")):
                wrong.extend(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}.{alias.name}"
                             for alias in node.names if _private(alias.name))  # fmt: skip
                if any(_private(part) for part in node.module.split(".")):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {node.module}")
            excepted = where == "tests" and (path.name, getattr(node, "attr", None)) in TEST_EXCEPTIONS
            if isinstance(node, ast.Attribute) and node.attr in theirs and not excepted:
                on_self = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
                if not (on_self and node.attr in own):
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} uses .{node.attr}")
    assert wrong == []


# Services modules over the size at which the style guide wants a package (services/<concern>.py), each with the
# reason it still is one. A file that is split, or shrinks below the limit, leaves this list.
SERVICES_MAX_LINES = 500
LARGE_SERVICES_MODULES: dict[str, str] = {}


def _services_modules():
    for app in sorted(APPS):
        yield from sorted((ROOT / app).glob("services.py"))
        yield from sorted((ROOT / app).glob("services/*.py"))


def test_services_modules_stay_small_enough_to_read():
    sizes = {str(path.relative_to(ROOT)): len(path.read_text().splitlines()) for path in _services_modules()}
    assert "booking/services/bookings.py" in sizes  # the walk finds the packages too
    too_long = {path: lines for path, lines in sizes.items() if lines > SERVICES_MAX_LINES}
    assert set(too_long) - set(LARGE_SERVICES_MODULES) == set()
    stale = {path for path in LARGE_SERVICES_MODULES if sizes.get(path, 0) <= SERVICES_MAX_LINES}
    assert stale == set(), "split or shrunk: remove from LARGE_SERVICES_MODULES"


def test_services_never_import_tasks():
    """A service queues a task by name after commit (core.queue.task_queue_after_commit); importing the task module
    would tie the write to Celery and, from inside a function, hide a cycle."""
    wrong = []
    for path in _services_modules():
        for module, names, line in _imported_modules(ast.parse(path.read_text())):
            if module.endswith(".tasks") or module == "tasks" or "tasks" in names:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module} {names}")
    assert wrong == []


def test_one_factory_per_model_in_the_tests():
    """Two factories for one model drift apart (different defaults, one of them stale); variants subclass the one."""
    factories: dict[str, list[str]] = {}
    for _app, _path, tree in _test_modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            for meta in (inner for inner in node.body if isinstance(inner, ast.ClassDef) and inner.name == "Meta"):
                for statement in meta.body:
                    if isinstance(statement, ast.Assign) and ast.unparse(statement.targets[0]) == "model":
                        factories.setdefault(ast.unparse(statement.value), []).append(node.name)
    assert "Booking" in factories
    assert {model: names for model, names in factories.items() if len(names) > 1} == {}
