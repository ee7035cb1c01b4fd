"""The mutation tool itself: which mutants it makes, which it leaves out as message-only, and a real run."""

import json
import subprocess
import sys
from pathlib import Path

from tools.mutation.mutants import module_mutants

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = "tools.mutation.tests.sample.rules"


def mutants_of(source, functions=()):
    return [(m.operator, m.after.strip(), m.message_only) for m in module_mutants(source, functions)]


def test_each_operator_makes_its_mutant():
    source = '''
def rule(items, limit, flag):
    """A docstring is never mutated."""
    if limit <= 2 and not flag:
        raise ValueError("no")
    total = sum(items[:1], start=0) * 3
    return total == limit
'''
    made = mutants_of(source)
    afters = {after for _operator, after, _message in made}
    assert "if limit < 2 and not flag:" in afters  # comparison
    assert "if limit <= 3 and not flag:" in afters and "if limit <= 1 and not flag:" in afters  # off by one
    assert "if limit <= 2 or not flag:" in afters  # boolean
    assert "if limit <= 2 and flag:" in afters  # not removed
    assert "pass" in afters  # raise removed
    assert "total = sum(items[:], start=0) * 3" in afters  # slice bound
    assert "total = sum(items[:2], start=0) * 3" in afters
    assert "total = sum(items[:1]) * 3" in afters  # keyword removed
    assert "total = sum(items[:1], start=None) * 3" in afters  # None for a keyword
    assert "total = sum(items[:1], start=0) / 3" in afters  # arithmetic
    assert "total = None" in afters  # None for an assignment
    assert "return None" in afters and "return not (total == limit)" in afters  # return value
    assert "return total != limit" in afters
    assert not any("docstring" in after for after in afters)


def test_an_if_guard_can_be_skipped():
    made = mutants_of("def rule(x):\n    if x:\n        x = 1\n    else:\n        x = 2\n    return x\n")
    assert ("guard", "if False:", False) in made and ("guard", "if True:", False) in made


def test_message_text_is_message_only_and_rules_are_not():
    source = """
import logging
from django.utils.translation import gettext as _
log = logging.getLogger()

def rule(amount):
    if amount > 10:
        log.warning("amount %s over %s", amount, 10)
        raise DomainError(_("At most %(n)s.") % {"n": 10}, field="amount", code="too_large")
    raise ValueError(f"bad amount {amount + 1}")
"""
    made = module_mutants(source)
    message_only = [(m.operator, m.after.strip()) for m in made if m.message_only]
    rules = [(m.operator, m.after.strip()) for m in made if not m.message_only]
    # A log message, its arguments, a gettext message and its formatting, an exception's message:
    assert ("string", "log.warning('XXamount %s over %sXX', amount, 10)") in message_only
    assert ("number", 'log.warning("amount %s over %s", amount, 11)') in message_only
    assert any(op == "string" and "_('XXAt most %(n)s.XX')" in after for op, after in message_only)
    assert any(op == "number" and '{"n": 11}' in after for op, after in message_only)
    assert any(op == "arithmetic" and "At most %(n)s.') / {" in after for op, after in message_only)
    assert ("arithmetic", 'raise ValueError(f"bad amount {amount - 1}")') in message_only
    # The rule, the error code and the field are behaviour:
    assert ("comparison", "if amount >= 10:") in rules
    assert ("raise", "pass") in rules
    assert any(op == "string" and "code='XXtoo_largeXX'" in after for op, after in rules)
    assert any(op == "keyword" and "field=" not in after and "code=" in after for op, after in rules)
    assert not any("'n'" in after or '"n": 11' in after for _op, after in rules)


def test_only_the_named_functions_are_mutated():
    source = (
        "LIMIT = 3\n\ndef a(x):\n    return x + 1\n\ndef b(x):\n    return x - 1\n\n"
        "class C:\n    def m(self):\n        return 2\n"
    )
    units = {m.unit for m in module_mutants(source, ("b", "C"))}
    assert units == {"b", "C.m"}
    assert {m.unit for m in module_mutants(source)} == {"LIMIT", "a", "b", "C.m"}


def run_tool(*args):
    return subprocess.run(
        [sys.executable, "-m", "tools.mutation", SAMPLE, "--tests", "tools/mutation/tests/sample", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_run_scores_the_module_lists_the_survivor_and_fails_below_the_threshold(tmp_path):
    completed = run_tool("--results", str(tmp_path))
    assert completed.returncode == 1, completed.stdout + completed.stderr
    # The boundary is untested: `amount >= 100` → `amount > 100` survives and is shown as a diff.
    assert "-     if member and amount >= 100:" in completed.stdout
    assert "+     if member and amount > 100:" in completed.stdout
    result = json.loads((tmp_path / f"{SAMPLE}.json").read_text())
    by_change = {m["after"].strip(): m["status"] for m in result["mutants"]}
    assert by_change["if member and amount > 100:"] == "survived"
    assert by_change["if member or amount >= 100:"] == "killed"  # a non-member's large order catches it
    assert by_change["if quantity <= 0:"] == "killed"  # checked_quantity(0) catches it
    assert by_change["MEMBER_DISCOUNT = 1.9"] == "killed"  # a constant, re-bound in the module
    assert by_change["return min(quantity, 11)"] == "killed"  # its only test calls it in another thread
    statuses = [m["status"] for m in result["mutants"]]
    assert "message" in statuses  # the log line and the gettext message were left out
    assert not any(m["status"] == "message" and "quantity <" in m["after"] for m in result["mutants"])
    assert "error" not in statuses
    line = next(line for line in completed.stdout.splitlines() if line.startswith(SAMPLE))
    killed, survived = statuses.count("killed") + statuses.count("timeout"), statuses.count("survived")
    assert f"{100 * killed / (killed + survived):.1f} %" in line


def test_a_run_at_or_above_the_threshold_passes(tmp_path):
    completed = run_tool("--results", str(tmp_path), "--threshold", "50")
    assert completed.returncode == 0, completed.stdout + completed.stderr
