"""The core rule modules and the tests that exercise them.

One line per module: the module, the test paths (files, directories or node ids) whose tests may call it, and
optionally the functions, methods (`Class.method`) or UPPER_CASE constants to mutate (default: all of them).
Only the tests that call a mutated function run against its mutants; the baseline finds out which those are.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Target:
    module: str
    tests: tuple[str, ...]
    functions: tuple[str, ...] = ()


PRICING_TESTS = ("tests/pricing",)
QUOTE_TESTS = ("tests/pricing", "tests/booking/test_services.py")
INTAKE_TESTS = ("tests/intake",)
BOOKING_RULE_TESTS = (
    "tests/booking/test_services.py",
    "tests/booking/test_api.py",
    "tests/booking/test_api_bad_input.py",
    "tests/booking/test_rules.py",  # kept out of the run while it does not exist
)
DEADLINE_TESTS = ("tests/intake/test_deadlines.py", "tests/intake/test_state_machine.py")
POLICY_TESTS = (
    "tests/test_policies_matrix.py",
    "tests/catalogue/test_permissions.py",
    "tests/pricing/test_policies.py",
    "tests/booking/test_policies.py",
    "tests/intake/test_confidentiality.py",
    "tests/intake/test_handover_and_notes.py",
)
QUOTE_RULES = ("price_tier", "booking_quote", "quantity_for", "_tier_prices_valid_on", "HOURS_PER_UNIT")
FLOOR_RULES = ("_check_economic_price", "price_list_save")
ROUTING_RULES = (
    "request_route", "routing_accept", "routing_decline", "routing_accept_by_link", "routing_decline_by_link",
)  # fmt: skip
# Who answers a request: the queue, the facilities, whoever is above them (issue 17); the demo-wide acceptance
# test (tests/intake/test_demo_responders.py) loads the whole register and is left out of the mutant runs.
RESPONDER_TESTS = (
    "tests/intake/test_responder_rules.py",
    "tests/intake/test_responders.py",
    "tests/intake/test_answer_link.py",
    "tests/intake/test_handover_and_notes.py",
    "tests/intake/test_routing_rules.py",
    "tests/intake/test_emails.py",
)
RESPONDER_RULES = (
    "is_national_queue", "national_queue_condition", "queue_people", "routing_people", "facility_has_responder",
    "responsible_people", "escalation_people", "routing_for_answer_token", "_first_nonempty", "_reachable_users",
    "institutions_with_screeners",
)  # fmt: skip

# module, the tests that may call it, the functions to mutate (all when left out)
TARGETS = (
    Target("pricing.tdi", PRICING_TESTS),
    Target("pricing.selectors", QUOTE_TESTS, QUOTE_RULES + ("economic_price_floor",)),
    Target("pricing.services", PRICING_TESTS, FLOOR_RULES),
    Target("booking.services.rules", BOOKING_RULE_TESTS),
    Target("intake.deadlines", DEADLINE_TESTS),
    Target("intake.services.routing", INTAKE_TESTS, ROUTING_RULES),
    Target("intake.services.queues", RESPONDER_TESTS),
    Target("intake.selectors", RESPONDER_TESTS, RESPONDER_RULES),
    Target("intake.answer_links", ("tests/intake/test_answer_link.py", "tests/intake/test_responder_rules.py")),
    Target("catalogue.policies", POLICY_TESTS),
    Target("pricing.policies", POLICY_TESTS),
    Target("intake.policies", POLICY_TESTS),
    Target("catalogue.roles", POLICY_TESTS),
    Target("booking.policies", POLICY_TESTS),
)


def find(name: str) -> Target:
    """The target for a dotted module name or a path such as pricing/tdi.py."""
    dotted = name.removesuffix(".py").replace("/", ".")
    for target in TARGETS:
        if target.module == dotted:
            return target
    raise KeyError(name)
