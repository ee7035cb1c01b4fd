"""The public statistics in Chromium: the page draws its charts from the tables beside them, passes axe on a
desktop and at 390 px, and shows the same numbers as the API (on the demo register's made-up year)."""

import datetime
import re

import pytest

pytestmark = pytest.mark.browser

VIEWPORTS = ["desktop", "phone"]


def as_number(text: str):
    """A figure as the page writes it ("1 234", "56,5", "–" for hidden) as a number, None when hidden."""
    text = text.strip().replace("\u00a0", "").replace(" ", "").replace("kr", "")
    if text == "–":
        return None
    return float(text.replace(",", ".")) if text else None


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_statistics_page_draws_its_charts_and_matches_the_api(visit, viewport):
    person = visit("public", viewport)
    year = datetime.date.today().year
    page = person.goto(f"/statistikk/?year={year}")
    assert page.get_by_role("heading", name="Statistikk: samarbeid med næringslivet").is_visible()
    page.wait_for_selector(".chart[data-drawn='true']")
    drawn = page.locator(".chart[data-drawn='true'] canvas")
    assert drawn.count() >= 3
    for index in range(drawn.count()):
        box = drawn.nth(index).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    person.check("statistics")

    api = page.request.get(f"{person.portal}/api/v1/statistics/institutions/?year={year}").json()
    assert api, "the demo register has figures"
    rows = page.locator("#table-institutions tbody tr[data-member]")
    shown = {}
    for index in range(rows.count()):
        row = rows.nth(index)
        shown[row.get_attribute("data-member")] = {
            field: as_number(row.locator(f"td[data-field='{field}']").inner_text())
            for field in ("industry_bookings", "industry_hours", "distinct_companies", "industry_requests")
        }
    assert set(shown) == {item["institution"] for item in api}
    for item in api:
        for field, value in shown[item["institution"]].items():
            expected = None if item[field] is None else float(item[field])
            assert value == pytest.approx(expected, abs=0.05) if expected is not None else value is None, (
                item["institution"], field, value, item[field],
            )  # fmt: skip
    # The ranking table lists the ranked institutions in the API's order.
    ranked = [item["name"] for item in api if item["rank"] is not None]
    names = page.locator("#table-ranking tbody th[scope=row]").all_inner_texts()
    assert [re.sub(r"\s*demo$", "", name).strip() for name in names] == ranked

    # The downloads are one click away.
    with page.expect_download() as download:
        page.get_by_role("link", name="Last ned som CSV").first.click()
    assert download.value.suggested_filename.startswith("labtorget-institutions-")
