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
QUOTE_TESTS = (
    "tests/pricing",
    "tests/booking/test_services.py",
    "tests/booking/test_activity_by_server.py",
    "tests/booking/test_use.py",
    "tests/booking/test_use_rules.py",
    "tests/catalogue/test_search_result_facts.py",
)
BOOKING_RULE_TESTS = (
    "tests/booking/test_services.py",
    "tests/booking/test_api.py",
    "tests/booking/test_api_bad_input.py",
    "tests/booking/test_rules.py",
    "tests/booking/test_api_errors.py",
    "tests/booking/test_bookable_resources.py",
    "tests/intake/test_booking_proposal.py",
    "tests/calendars/test_booking_respects_feeds.py",
)
DEADLINE_TESTS = (
    "tests/intake/test_deadlines.py",
    "tests/intake/test_state_machine.py",
    "tests/booking/test_use.py",
    "tests/booking/test_public_holidays.py",
)
CHARGE_TESTS = (
    "tests/pricing/test_cancellation_charge.py",
    "tests/booking/test_cancellation_charges.py",
    "tests/accounting/test_invoice_states.py",
)
USE_TESTS = (
    "tests/booking/test_use.py",
    "tests/booking/test_use_rules.py",
    "tests/booking/test_payer.py",
    "tests/booking/test_cancellation_charges.py",
    "tests/booking/test_services.py",
    "tests/accounting/test_invoice_states.py",
)
INVOICE_TESTS = ("tests/accounting", "tests/accounts/test_organisations.py")
POLICY_TESTS = (
    "tests/test_policies_matrix.py",
    "tests/catalogue/test_permissions.py",
    "tests/pricing/test_policies.py",
    "tests/booking/test_policies.py",
    "tests/intake/test_confidentiality.py",
    "tests/accounting/test_access.py",
    "tests/intake/test_handover_and_notes.py",
)
# Who sent a request and may act on it: an organisation's API keys, clusters that follow or accept for themselves.
INTAKE_SENDER_TESTS = tuple(
    f"tests/intake/test_{name}.py"
    for name in ("api_clients", "organisation_keys", "clusters_in_the_portal", "cluster_accepts_for_itself")
)
QUOTE_RULES = (
    "member_institution_id", "member_of_owning_institution", "agreements_covering", "use_terms_of", "booking_price",
    "booking_quote", "quote_for_terms", "_quote_of", "quantity_for", "_tier_prices_valid_on", "HOURS_PER_UNIT",
    "quote_with_terms", "terms_by_access_model", "tiers_by_access_model", "prices_for_user",
    # the VAT a public price table and a "from" price show
    "TIER_TRANSACTION", "public_vat_rates", "price_incl_vat", "price_lists_with_vat",
)  # fmt: skip
TERMS_TESTS = ("tests/pricing/test_terms.py", "tests/pricing/test_booking_terms.py")
AGREEMENT_RULES = (
    "collaboration_agreement_propose", "collaboration_agreement_approve", "collaboration_agreement_reject",
    "collaboration_agreement_participant_add", "collaboration_agreement_end", "_participants_by_email",
    "vat_rule_save", "_vat_rule_values",
)  # fmt: skip
STATE_AID_TESTS = ("tests/booking/test_activity_by_server.py",)
STATE_AID_RULES = ("economic_use", "state_aid_shares", "resources_with_economic_use")
EHF_VAT_RULES = ("vat_category", "lines_of_part", "vat_parts")
ACCOUNTS_TESTS = (
    "tests/accounts/test_affiliations.py", "tests/accounts/test_organisations.py", "tests/accounts/test_payer.py"
)  # fmt: skip
ACCOUNTS_POLICIES = (
    "can_decide_affiliation", "can_manage_institution_domains", "can_view_affiliations", "is_organisation_admin",
    "can_act_for_organisation", "can_decide_membership", "can_view_organisation", "can_recheck_organisation",
    "can_change_membership_role",
)  # fmt: skip
PAYER_RULES = ("verified_institution_id", "verified_institution", "payer_for", "membership_of")
AFFILIATION_RULES = ("affiliation_proof", "affiliation_claim", "affiliation_check_proof", "affiliation_decide",
                     "affiliation_from_feide", "institution_domain_add")  # fmt: skip
ORGANISATION_RULES = ("register_refusal", "organisation_register_answer_apply", "organisation_by_number",
                      "verified_email_under", "membership_request", "membership_decide",
                      "membership_role_set")  # fmt: skip
# The full-cost floor: what a price list, a re-check after a new cost base and an intake quote are held to.
FLOOR_SELECTORS = (
    "COST_BASE_UNITS_PER_PRICE_UNIT",
    "minimum_margin",
    "floor_quantity",
    "full_cost_floor",
    "economic_price_floor",
    "economic_price_floors",
    "cost_bases_covering",
    "economic_price_breach",
    "quote_floor_check",
    "FLOOR_BREACH_CODES",
)
FLOOR_RULES = (
    "cost_base_save",
    "_floor_error",
    "_check_fixed_fee_quantity",
    "price_list_save",
    "price_lists_floor_recheck",
)
# Use that becomes chargeable (booking.services.use: completion, no-show, adjusted use in its window), the price
# and payer a booking records (changes), and what a cancellation costs and how a series is stored (bookings).
CHANGE_RULES = ("payer_fields", "price_fields", "booking_price_again")
CANCEL_RULES = ("booking_cancel", "booking_series_create")
# An accepted intake proposal books at its agreed price (price_fields' agreed branch, a series' divided price).
AGREED_PRICE_TESTS = ("tests/intake/test_acceptance_makes_the_use.py",)
CANCEL_TESTS = (
    "tests/booking/test_cancellation_charges.py",
    "tests/booking/test_services.py",
    "tests/booking/test_api.py",
    "tests/booking/test_rules.py",
    "tests/booking/test_api_errors.py",
    "tests/booking/test_notifications.py",
    "tests/accounting/test_invoice_states.py",
)
# Who is offered what to book (the guard's list form), the use-correction window, which booking an intake answer
# may name, and whether the cancel page warns of a charge.
BOOKING_SELECTOR_RULES = (
    "bookable_resources",
    "_is_company",
    "use_window_closes",
    "bookings_in_use_window",
    "booking_proposal_refusal",
    "cancellation_is_charged",
    "next_free_times",  # a search result's next free time
)
BOOKING_SELECTOR_TESTS = (
    "tests/booking/test_bookable_resources.py",
    "tests/booking/test_api_errors.py",
    "tests/booking/test_free_capacity_windows.py",
    "tests/booking/test_next_free_times.py",
    "tests/booking/test_use.py",
    "tests/booking/test_use_rules.py",
    "tests/booking/test_cancellation_charges.py",
    "tests/booking/test_pages.py",
    "tests/intake/test_booking_proposal.py",
)
# What goes on an invoice: which bookings, at which amounts, for which payer.
INVOICE_RULES = (
    "CHARGED_IN_FULL_STATUSES",
    "_charged",
    "chargeable_bookings",
    "_line",
    "invoice_basis",
    "invoice_basis_of_bookings",
    "invoiceable",
    "_basis",
    # Delivered service orders on the invoice basis and in the revenue split.
    "_order_line",
    "delivered_service_orders",
    "revenue_split",
)
# The intake tests that route, answer and decide (the demo-wide, PostgreSQL-only and broker tests left out).
ROUTING_TESTS = tuple(
    f"tests/intake/test_{name}.py"
    for name in (
        "answer_link", "api", "booking_proposal", "confidentiality", "emails", "handover_and_notes", "portal",
        "quote_floor", "responder_rules", "responders", "routing_answers", "routing_rules", "state_machine",
        "acceptance_makes_the_use", "cluster_accepts_for_itself", "collaboration_agreement_pricing", "deadlines",
    )
) + ("tests/agreements/test_agreements.py",)  # fmt: skip
ROUTING_RULES = (
    "request_route", "routing_accept", "routing_decline", "routing_accept_by_link", "routing_decline_by_link",
)  # fmt: skip
# Who answers a request: the queue, the facilities, whoever is above them (issue 17); the demo-wide acceptance
# test (tests/intake/test_demo_responders.py) loads the whole register and is left out of the mutant runs.
RESPONDER_TESTS = (
    "tests/intake/test_routing_answers.py",
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
    Target("pricing.terms", TERMS_TESTS + ("tests/booking/test_activity_by_server.py",)),
    Target(
        "pricing.selectors",
        QUOTE_TESTS + ("tests/intake/test_quote_floor.py", "tests/pricing/test_vat_rules.py"),
        QUOTE_RULES + FLOOR_SELECTORS,
    ),
    Target("pricing.services", PRICING_TESTS, FLOOR_RULES + AGREEMENT_RULES),
    Target("pricing.charges", CHARGE_TESTS),
    Target("booking.services.rules", BOOKING_RULE_TESTS),
    Target("booking.services.use", USE_TESTS),
    Target("booking.services.changes", USE_TESTS + AGREED_PRICE_TESTS, CHANGE_RULES),
    Target("booking.services.bookings", CANCEL_TESTS + AGREED_PRICE_TESTS, CANCEL_RULES),
    Target("booking.selectors", BOOKING_SELECTOR_TESTS, BOOKING_SELECTOR_RULES),
    Target("accounting.selectors", INVOICE_TESTS + STATE_AID_TESTS, INVOICE_RULES + STATE_AID_RULES),
    Target(
        "accounting.ehf", ("tests/accounting/test_ehf_validation.py", "tests/accounting/test_ehf.py"), EHF_VAT_RULES
    ),
    Target("core.working_days", DEADLINE_TESTS),
    Target("intake.services.routing", ROUTING_TESTS, ROUTING_RULES),
    Target("intake.services.queues", RESPONDER_TESTS),
    Target("intake.selectors", RESPONDER_TESTS, RESPONDER_RULES),
    Target("intake.answer_links", ("tests/intake/test_answer_link.py", "tests/intake/test_responder_rules.py")),
    Target("catalogue.policies", POLICY_TESTS),
    Target("pricing.policies", POLICY_TESTS),
    Target("intake.policies", POLICY_TESTS + INTAKE_SENDER_TESTS),
    Target("catalogue.roles", POLICY_TESTS),
    Target("booking.policies", POLICY_TESTS),
    Target("accounting.policies", POLICY_TESTS),
    # What the booking calendar lets a person pick (time) and the from-price a list shows (money).
    Target("booking.grid", ("tests/booking/test_week_grid.py", "tests/booking/test_week_calendar.py")),
    Target("pricing.price_summaries", ("tests/catalogue/test_search_result_facts.py",)),
    # Staff-run work reaching the invoice (money) and public holidays closed (time).
    Target(
        "booking.services.orders",
        (
            "tests/booking/test_service_orders.py",
            "tests/core/test_email_kinds.py",
            "tests/intake/test_acceptance_makes_the_use.py",
            "tests/accounting/test_service_orders.py",
        ),
    ),
    Target(
        "booking.services.calendar",
        ("tests/booking/test_public_holidays.py", "tests/booking/test_pages.py", "tests/booking/test_services.py"),
        ("public_holiday_closures", "public_holiday_closures_create", "closure_create"),
    ),
    Target("calendars.policies", POLICY_TESTS),
    Target("agreements.policies", ("tests/agreements/test_agreements.py",)),
    Target("calendars.ical", ("tests/calendars/test_ical.py", "tests/calendars/test_booking_respects_feeds.py")),
    Target("accounts.policies", ACCOUNTS_TESTS, ACCOUNTS_POLICIES),
    Target("accounts.selectors", ACCOUNTS_TESTS + ("tests/pricing/test_selectors.py",), PAYER_RULES),
    Target("accounts.services.affiliations", ACCOUNTS_TESTS + ("tests/accounts/test_oidc.py",), AFFILIATION_RULES),
    Target("accounts.services.organisations", ACCOUNTS_TESTS, ORGANISATION_RULES),
    Target("accounts.brreg", ("tests/accounts/test_organisations.py",)),
    # What the public statistics may show (confidentiality) and how institutions are ranked.
    Target("reporting.policies", POLICY_TESTS),
    Target("reporting.suppression", ("tests/reporting/test_suppression.py", "tests/reporting/test_figures.py")),
    Target("reporting.ranking", ("tests/reporting/test_ranking.py", "tests/reporting/test_figures.py")),
)


def find(name: str) -> Target:
    """The target for a dotted module name or a path such as pricing/tdi.py."""
    dotted = name.removesuffix(".py").replace("/", ".")
    for target in TARGETS:
        if target.module == dotted:
            return target
    raise KeyError(name)
