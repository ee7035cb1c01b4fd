"""Extension points that let later apps add to pages owned by earlier ones without a dependency cycle.

The catalogue owns the facility page and the dashboard, but booking, pricing and intake have things to show
there. Each app registers what it adds in its AppConfig.ready(); the owning view renders whatever is
registered. Dependencies thus stay one-directional: catalogue <- pricing <- booking <- intake.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class NavItem:
    label: str  # lazy gettext
    url_name: str
    order: int = 50
    visible: Callable | None = None  # visible(user) -> bool; None means everyone


@dataclass(frozen=True)
class Panel:
    """A panel on a page: `build(request, obj)` returns a context dict, or None to show nothing."""

    template_name: str
    build: Callable
    order: int = 50


_nav_items: list[NavItem] = []
_result_facts: list[tuple[int, Callable]] = []
_panels: dict[str, list[Panel]] = {}

# Page slots that apps can add panels to.
FACILITY_PAGE = "facility_page"  # obj: the Facility; shown on its public page, next to the contact person
FACILITY_DETAILS = "facility_details"  # obj: the Facility; shown on its public page, after its resources
RESOURCE_ROW = "resource_row"  # obj: a Resource; shown under each resource on the facility page
DASHBOARD = "dashboard"  # obj: None; shown on the signed-in user's dashboard ("My Labtorget")
FACILITY_MANAGE = "facility_manage"  # obj: the Facility; shown on the manager's page for the facility
ORGANISATION_PAGE = "organisation_page"  # obj: the accounts.Organisation; shown on its page to its members


def register_nav_item(item: NavItem) -> None:
    if item not in _nav_items:
        _nav_items.append(item)


def register_panel(slot: str, panel: Panel) -> None:
    panels = _panels.setdefault(slot, [])
    if panel not in panels:
        panels.append(panel)


def nav_items_for(user) -> list[dict]:
    items = []
    for item in sorted(_nav_items, key=lambda i: i.order):
        if item.visible is not None and not item.visible(user):
            continue
        try:
            # Items only some people see (their own pages, queues) go in the header's personal menu.
            items.append({"label": item.label, "url": reverse(item.url_name), "personal": item.visible is not None})
        except NoReverseMatch:
            continue
    return items


def panels_for(slot: str, request, obj=None) -> list[dict]:
    """Render-ready panels for a slot: [{"template_name", "context"}], in order."""
    rendered = []
    for panel in sorted(_panels.get(slot, []), key=lambda p: p.order):
        context = panel.build(request, obj)
        if context is not None:
            rendered.append({"template_name": panel.template_name, "context": context})
    return rendered


def register_result_facts(build: Callable, order: int = 50) -> None:
    """Add facts to each search result: `build(request, facilities)` returns {facility id: [fact, ...]}, a fact
    being {"text": str, "css": str}. It is called once for the whole page of results, so it must cost the same
    queries for one facility or fifty."""
    if (order, build) not in _result_facts:
        _result_facts.append((order, build))


def result_facts_for(request, facilities) -> dict[int, list[dict]]:
    facts: dict[int, list[dict]] = {facility.pk: [] for facility in facilities}
    if not facts:
        return facts
    for _order, build in sorted(_result_facts, key=lambda entry: entry[0]):
        for facility_id, found in build(request, facilities).items():
            facts.setdefault(facility_id, []).extend(found)
    return facts
