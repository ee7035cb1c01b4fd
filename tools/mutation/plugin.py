"""A pytest plugin that runs the mutants of one module against the collected tests.

Loaded by `python -m tools.mutation` as `pytest -p tools.mutation.plugin --mutation-module=... TESTS`. Django, the
test database and the session fixtures are set up once, by a plain run of every collected test in this process
(the baseline, which also records which tests call which function of the module). Then each mutant runs in a
forked child: the child swaps the mutated code object into the live function (or re-binds the mutated
constant), runs the tests that called that function until one fails, and reports back through a pipe. On SQLite
a child inherits the parent's in-memory test database as a private copy, so children never see each other's
writes and several run at once. On PostgreSQL (`--postgres`) each child opens its own session to the one test
database, and they run one at a time.
"""

import ast
import gc
import importlib
import json
import os
import select
import signal
import sys
import threading
import time
import types
from collections import Counter

import pytest
from _pytest.runner import runtestprotocol

from tools.mutation.mutants import Mutant, module_mutants


def pytest_addoption(parser):
    group = parser.getgroup("mutation", "mutation testing (tools/mutation)")
    group.addoption("--mutation-module", default="", help="dotted name of the module to mutate")
    group.addoption("--mutation-functions", default="", help="comma-separated units to mutate (default: all)")
    group.addoption("--mutation-output", default="", help="where to write the results (JSON)")
    group.addoption("--mutation-workers", type=int, default=2, help="mutants run at once (forked children)")
    group.addoption("--mutation-timeout-factor", type=float, default=10.0, help="x the tests' own time, plus 5 s")
    group.addoption("--mutation-numbers", default="", help="run only these mutant numbers (comma-separated)")


@pytest.hookimpl(tryfirst=True)
def pytest_runtestloop(session):
    config = session.config
    module_name = config.getoption("mutation_module")
    if not module_name:
        return None
    output = config.getoption("mutation_output")
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if session.testsfailed:
        _write(output, {"module": module_name, "error": "the tests could not be collected"})
        return True
    functions = [name for name in config.getoption("mutation_functions").split(",") if name]
    numbers = {int(number) for number in config.getoption("mutation_numbers").split(",") if number}
    run = MutationRun(
        session=session,
        module_name=module_name,
        functions=functions,
        workers=max(1, config.getoption("mutation_workers")),
        timeout_factor=config.getoption("mutation_timeout_factor"),
        numbers=numbers,
        say=(lambda text: reporter.write_line(text)) if reporter else print,
        write=(lambda text: reporter.write(text, flush=True)) if reporter else print,
    )
    _write(output, run.run())
    return True


def _write(path, data):
    if path:
        with open(path, "w", encoding="utf-8") as file:
            json.dump(data, file, indent=1, ensure_ascii=False)


class MutationRun:
    def __init__(self, *, session, module_name, functions, workers, timeout_factor, numbers, say, write):
        self.session = session
        self.module_name = module_name
        self.functions = functions
        self.workers = workers
        self.timeout_factor = timeout_factor
        self.numbers = numbers
        self.say = say
        self.write = write
        self.kills = Counter()  # test node id -> mutants it killed, so that likely killers run first

    def run(self) -> dict:
        from django.conf import settings

        result = {"module": self.module_name, "functions": self.functions, "error": None, "mutants": []}
        self.on_sqlite = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        result["database"] = "sqlite" if self.on_sqlite else "postgresql"
        if not self.on_sqlite:
            self.workers = 1  # the children share one test database: one at a time
        self.module = importlib.import_module(self.module_name)
        self.filename = _code_filename(self.module)
        with open(self.module.__file__, encoding="utf-8") as file:
            mutants = module_mutants(file.read(), self.functions)
        known = {mutant.unit for mutant in mutants}
        missing = [name for name in self.functions if not any(u == name or u.startswith(f"{name}.") for u in known)]
        if missing:
            result["error"] = f"no such function or constant in {self.module_name}: {', '.join(missing)}"
            return result

        started = time.monotonic()
        baseline = self._baseline()
        result["baseline"] = {
            "tests": len(baseline["durations"]),
            "seconds": round(time.monotonic() - started, 2),
            "failed": baseline["failed"],
        }
        if baseline["failed"]:
            result["error"] = "the tests fail without any mutant: " + ", ".join(baseline["failed"][:5])
            return result
        self.calls = baseline["calls"]
        self.durations = baseline["durations"]
        self.items = {item.nodeid: item for item in self.session.items}
        self.live_functions = _live_functions(self.filename)

        self.say(f"\n{self.module_name}: {len(mutants)} mutants, {len(self.durations)} tests in the baseline")
        outcomes = {}
        to_run = []
        for mutant in mutants:
            if self.numbers and mutant.number not in self.numbers:
                continue
            if mutant.message_only:
                outcomes[mutant.number] = {"status": "message"}
            else:
                to_run.append(mutant)
        outcomes.update(self._run_all(to_run))
        for mutant in mutants:
            if mutant.number not in outcomes:
                continue
            result["mutants"].append(
                {
                    "number": mutant.number,
                    "unit": mutant.unit,
                    "operator": mutant.operator,
                    "line": mutant.line,
                    "before": mutant.before,
                    "after": mutant.after,
                    **outcomes[mutant.number],
                }
            )
        result["seconds"] = round(time.monotonic() - started, 2)
        return result

    # --- the baseline -------------------------------------------------------------------------------------

    def _baseline(self) -> dict:
        items = self.session.items
        filename = self.filename
        calls: dict[str, set[str]] = {}
        durations: dict[str, float] = {}
        failed: list[str] = []
        for index, item in enumerate(items):
            hits: set[str] = set()

            def profile(frame, event, arg, hits=hits):
                if event == "call" and frame.f_code.co_filename == filename:
                    hits.add(frame.f_code.co_qualname.split(".<locals>", 1)[0])

            # The last item hands over to the first, so the session fixtures (the test database) stay set up.
            nextitem = items[index + 1] if index + 1 < len(items) else items[0]
            start = time.perf_counter()
            sys.setprofile(profile)
            threading.setprofile(profile)  # a race test calls the rule in threads of its own
            try:
                reports = runtestprotocol(item, log=False, nextitem=nextitem)
            finally:
                sys.setprofile(None)
                threading.setprofile(None)
            if any(report.failed for report in reports):
                failed.append(item.nodeid)
            elif not any(report.skipped for report in reports):
                durations[item.nodeid] = time.perf_counter() - start
                calls[item.nodeid] = hits
            self.write(".")
        self.write("\n")
        return {"calls": calls, "durations": durations, "failed": failed}

    # --- the mutants ----------------------------------------------------------------------------------------

    def _tests_for(self, mutant: Mutant) -> list[str]:
        if mutant.kind == "constant":
            chosen = [nodeid for nodeid, hits in self.calls.items() if hits]
        else:
            chosen = [nodeid for nodeid, hits in self.calls.items() if mutant.unit in hits]
        return sorted(chosen, key=lambda nodeid: (-self.kills[nodeid], self.durations[nodeid]))

    def _run_all(self, mutants: list[Mutant]) -> dict[int, dict]:
        outcomes: dict[int, dict] = {}
        pending = list(mutants)
        running: dict[int, tuple] = {}  # pid -> (mutant, read end, deadline, started)
        while pending or running:
            while pending and len(running) < self.workers:
                mutant = pending.pop(0)
                tests = self._tests_for(mutant)
                if not tests:
                    outcomes[mutant.number] = {"status": "no tests"}
                    self._progress("status", "no tests")
                    continue
                budget = 5 + self.timeout_factor * sum(self.durations[nodeid] for nodeid in tests)
                read_end, write_end = os.pipe()
                pid = os.fork()
                if pid == 0:  # the child
                    os.close(read_end)
                    _child(self, mutant, tests, write_end)
                os.close(write_end)
                running[pid] = (mutant, read_end, time.monotonic() + budget, time.monotonic())
            self._reap(running, outcomes)
        return outcomes

    def _reap(self, running: dict, outcomes: dict) -> None:
        time.sleep(0.002)
        readable, _, _ = select.select([entry[1] for entry in running.values()], [], [], 0.05)
        for pid, (mutant, read_end, deadline, started) in list(running.items()):
            finished, _status = os.waitpid(pid, os.WNOHANG)
            if not finished and time.monotonic() < deadline and read_end not in readable:
                continue
            if not finished and read_end in readable:
                # The child has written its answer and is exiting; wait for it.
                finished, _status = os.waitpid(pid, 0)
            if not finished:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                outcome = {"status": "timeout"}
            else:
                outcome = _read_answer(read_end) or {"status": "error", "detail": "the child died without answering"}
            os.close(read_end)
            outcome["seconds"] = round(time.monotonic() - started, 2)
            if outcome.get("killed_by"):
                self.kills[outcome["killed_by"]] += 1
            outcomes[mutant.number] = outcome
            del running[pid]
            self._progress("status", outcome["status"])

    def _progress(self, _kind, status):
        self.write({"killed": ".", "timeout": "T", "survived": "S", "no tests": "N", "error": "E"}[status])


def _read_answer(read_end) -> dict | None:
    chunks = []
    while True:
        chunk = os.read(read_end, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return None


def _child(run: MutationRun, mutant: Mutant, tests: list[str], write_end: int) -> None:
    """Apply the mutant, run the tests until one fails, answer through the pipe; never returns."""
    answer = {"status": "error", "detail": "unknown"}
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if not run.on_sqlite:
            _own_database_connections()
        try:
            problem = _apply(run, mutant)
        except Exception as error:
            problem = f"cannot apply: {type(error).__name__}: {error}"
        if problem:
            answer = {"status": "error", "detail": problem}
        else:
            items = [run.items[nodeid] for nodeid in tests]
            # What the baseline left set up belongs to its first test; keep only what the first test here shares.
            run.session._setupstate.teardown_exact(items[0])
            answer = {"status": "survived"}
            for index, item in enumerate(items):
                nextitem = items[index + 1] if index + 1 < len(items) else item
                reports = runtestprotocol(item, log=False, nextitem=nextitem)
                if any(report.failed for report in reports):
                    answer = {"status": "killed", "killed_by": item.nodeid}
                    break
    except BaseException as error:  # noqa: B036 - whatever happens, the parent gets an answer
        answer = {"status": "killed", "killed_by": None, "detail": f"{type(error).__name__}: {error}"[:300]}
    finally:
        os.write(write_end, json.dumps(answer).encode())
        os.close(write_end)
        os._exit(0)


_INHERITED = []  # the parent's database sessions, kept referenced so that the child never closes them


def _own_database_connections() -> None:
    """Let a child on PostgreSQL open its own session to the test database instead of using the parent's socket
    (SQLite needs nothing: the in-memory database is the child's own copy)."""
    from django.db import connections

    for connection in connections.all():
        if connection.connection is not None:
            _INHERITED.append(connection.connection)
            connection.connection = None


def _apply(run: MutationRun, mutant: Mutant) -> str | None:
    """Put the mutant in place in this (child) process; a reason when it cannot be."""
    if mutant.kind == "constant":
        module_ast = ast.Module(body=[mutant.unit_node], type_ignores=[])
        exec(compile(module_ast, run.filename, "exec", dont_inherit=True), run.module.__dict__)  # noqa: S102
    else:
        node = mutant.unit_node
        for name in reversed(mutant.class_path):
            node = ast.copy_location(
                ast.ClassDef(name=name, bases=[], keywords=[], body=[node], decorator_list=[]), node
            )
        module_ast = ast.fix_missing_locations(ast.Module(body=[node], type_ignores=[]))
        code = _find_code(compile(module_ast, run.filename, "exec", dont_inherit=True), mutant.unit)
        targets = run.live_functions.get(mutant.unit, [])
        if code is None or not targets:
            return f"{mutant.unit} is not a live function of the module"
        for function in targets:
            if len(function.__code__.co_freevars) != len(code.co_freevars):
                return f"{mutant.unit}: the mutant changes the function's closure"
            function.__code__ = code
    for value in list(vars(run.module).values()):
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()  # an lru_cache filled by the baseline would hide the mutant
    return None


def _find_code(code: types.CodeType, qualname: str) -> types.CodeType | None:
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            if constant.co_qualname == qualname:
                return constant
            found = _find_code(constant, qualname)
            if found is not None:
                return found
    return None


def _code_filename(module) -> str:
    """The file name the module's code objects carry (compared as a string while tracing)."""
    wanted = os.path.realpath(module.__file__)
    for value in vars(module).values():
        code = getattr(getattr(value, "__wrapped__", value), "__code__", None)
        if code is not None and os.path.realpath(code.co_filename) == wanted:
            return code.co_filename
    return module.__file__


def _live_functions(filename: str) -> dict[str, list[types.FunctionType]]:
    """Every function object made from the module's top-level functions and methods, by qualified name: those
    the module binds, and those hidden in decorators, properties and other modules' references alike."""
    found: dict[str, list[types.FunctionType]] = {}
    for thing in gc.get_objects():
        if type(thing) is types.FunctionType and thing.__code__.co_filename == filename:
            qualname = thing.__code__.co_qualname
            if ".<locals>" not in qualname:
                found.setdefault(qualname, []).append(thing)
    return found
