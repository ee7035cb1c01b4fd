"""The portal's main journeys, clicked through in Chromium as a person would (by visible text and labels), on a
desktop and at 390 × 844 (no page may scroll sideways there), with axe-core and the Content-Security-Policy
checked on every page (see conftest.py). Numbered as in issue 19:

1. A visitor searches in Norwegian ("flowcytometri", then "mikroskop"), narrows by city and open to industry,
   opens a facility and sees the contact person and the price excl. and incl. VAT (7: the same in English).
2.–3. A company finds an instrument that needs approval, books it from the week calendar after seeing the total,
   and sees the request pending; the facility manager approves it in the queue; the company sees it confirmed
   and downloads the .ics, whose times are the booking's.
2. A company sends a request; a screener routes it to a facility from the screening queue.
4. Two companies in two browsers send the same time at the same moment: one gets it; the other is told the time
   is taken, sees the nearest free times and books one of them with one click.
5. A company without an account sends a request and confirms it from the e-mail; a screener routes it to two
   facilities at two institutions; one accepts with a proposal; the company accepts the proposal from the link
   it was e-mailed.
6. A facility manager fills in the price calculator, saves it as a resource's cost base in the same step, and is
   refused a price list below the full cost it gives, told the floor of that year.
"""

import datetime
import re
import time
import zoneinfo

import pytest
from icalendar import Calendar

try:
    from playwright.sync_api import expect
except ImportError:  # only the browser run needs Playwright; with LABTORGET_BROWSER=1 its absence is an error
    expect = None

pytestmark = pytest.mark.browser

VIEWPORTS = ["desktop", "phone"]
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
COMPANY = "demo.bedrift@example.org"
MANAGER = "demo.leder.uio@example.org"  # manages Translasjonell MRI nevroimaging
SCREENER = "demo.screener.uio@example.org"
# Each viewport books in its own week, so that the two runs never want the same slot.
WEEKS_AHEAD = {"desktop": 2, "phone": 3}


def open_menu_if_folded(page) -> None:
    toggle = page.get_by_role("button", name="Meny")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def open_my_page(page, name: str) -> None:
    """A page from the header's personal menu (folded behind "Meny" on a phone)."""
    open_menu_if_folded(page)
    page.locator(".user-menu summary").click()
    page.locator(".user-menu").get_by_role("link", name=name).click()


# What a visitor reads, in each language: (search label on the home page, search label on the results page,
# city facet, open-to-industry facet, its value, contact heading, excl. VAT, incl. VAT, money pattern).
VISITOR_WORDS = {
    "nb": {
        "home_search": "Hva leter du etter?", "search": "Søk", "city": "Sted", "industry": "Åpen for næringslivet",
        "yes": "Ja", "contact": "Kontakt", "excl": "eks. mva.", "incl": "inkl. mva.", "results": r"\d+ fasilitet",
        "money": r"kr\xa0[\d\xa0]+,\d\d",
    },
    "en": {
        "home_search": "What are you looking for?", "search": "Search", "city": "City", "industry": "Open to industry",
        "yes": "Yes", "contact": "Contact", "excl": "excl. VAT", "incl": "incl. VAT", "results": r"\d+ facilit",
        "money": r"NOK\xa0[\d,]+\.\d\d",
    },
}  # fmt: skip


@pytest.mark.parametrize("language", ["nb", "en"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_visitor_finds_a_facility_its_contact_and_price(visit, viewport, language):
    """Journeys 1, 7 (English) and 8 (at 390 × 844): anonymous, as a newcomer from a search engine would."""
    words = VISITOR_WORDS[language]
    visitor = visit(f"visitor-{language}", viewport, language)
    page = visitor.goto("/")
    assert page.locator("html").get_attribute("lang") == language
    page.get_by_label(words["home_search"]).fill("flowcytometri")
    page.get_by_label(words["home_search"]).press("Enter")
    visitor.check("search-flowcytometri")
    results = page.locator("article.result")
    expect(results.first).to_be_visible()
    assert all("cytometr" in text.lower() for text in results.all_inner_texts())  # "Flow Cytometry" matches too

    # A second search from the results page, then narrowed by city and by "open to industry".
    page.get_by_label(words["search"], exact=True).fill("mikroskop")
    page.get_by_label(words["search"], exact=True).press("Enter")
    expect(page.locator("#results-heading")).to_have_text(re.compile(words["results"]))
    everywhere = results.count()
    page.get_by_role("group", name=words["city"]).get_by_role("link", name=re.compile("Oslo")).click()
    expect(page.get_by_role("group", name=words["city"]).locator("a[aria-current='true']")).to_contain_text("Oslo")
    in_oslo = results.count()
    assert 0 < in_oslo <= everywhere
    assert all(" Oslo " in f" {text} " for text in results.all_inner_texts())
    page.get_by_role("group", name=words["industry"]).get_by_role("link", name=re.compile(words["yes"])).click()
    expect(page.get_by_role("group", name=words["industry"]).locator("a[aria-current='true']")).to_be_visible()
    assert "city=Oslo" in page.url and "open_to_industry=true" in page.url
    visitor.check("search-narrowed")
    # Each result says how it is booked and, where there is a price, what it costs excl. and incl. VAT.
    card = results.filter(has_text="Avansert lysmikroskopi")
    assert words["excl"] in card.locator(".price").inner_text()

    card.get_by_role("link", name="Avansert lysmikroskopi").click()
    visitor.check("facility")
    expect(page.get_by_role("heading", level=1)).to_have_text("Avansert lysmikroskopi")
    contact = page.locator("section.contact-primary")
    expect(contact.get_by_role("heading", name=words["contact"])).to_be_visible()
    expect(contact.get_by_role("link", name=re.compile("@example.org"))).to_be_visible()
    assert contact.locator("strong").first.inner_text().strip()  # the contact person's name
    price = page.locator(".price-summary-facts .price").inner_text()
    assert words["excl"] in price and words["incl"] in price, price
    excluding, including = re.findall(words["money"], price)[:2]
    assert excluding != including
    # Near the top: the price summary is above the fold on a phone as on a desktop.
    box = page.locator(".price-summary-facts .price").bounding_box()
    assert box["y"] + box["height"] <= 844


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_company_books_an_instrument_a_manager_approves_it(visit, viewport):
    company = visit("company", viewport)
    page = company.goto("/")
    company.check("home")

    # Find: search in Norwegian, open the facility, see the contact person and how it is booked.
    page.get_by_label("Hva leter du etter?").fill("nevroimaging")
    page.get_by_label("Hva leter du etter?").press("Enter")
    company.check("search-results")
    page.get_by_role("link", name="Translasjonell MRI nevroimaging").first.click()
    company.check("facility")
    assert page.get_by_role("heading", name="Kontakt").is_visible()
    assert page.get_by_text("Bestilles på forespørsel: en leder godkjenner").first.is_visible()

    # Book: log in on the way, pick a time in the calendar two or three weeks ahead.
    page.get_by_role("link", name=re.compile("Send bestillingsforespørsel.*MR-skanner")).click()
    page.get_by_role("link", name="Logg inn for å booke").click()
    page.get_by_label("E-post").fill(COMPANY)
    page.get_by_label("Passord").fill("labtorget-demo")
    page.locator("main").get_by_role("button", name="Logg inn").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Be om å bestille")
    for _ in range(WEEKS_AHEAD[viewport]):
        page.get_by_role("link", name=re.compile("Neste uke")).click()
    week_heading = page.locator("#calendar").inner_text()
    company.check("calendar")
    first_free = page.locator("table.week-grid a[data-slot]").first
    first_free.click()
    assert page.locator("#calendar").inner_text() == week_heading  # choosing keeps the week
    chosen = page.locator("table.week-grid a[aria-current='true']")
    assert chosen.count() >= 1
    # With the keyboard: the arrow down from the chosen time goes to the next time that day, and Enter extends
    # the choice to it (the calendar keeps the week and the start).
    start_value = page.get_by_label("Start").input_value()
    end_before = page.get_by_label("Slutt").input_value()
    chosen_before = chosen.count()
    chosen.last.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page.locator("table.week-grid a[aria-current='true']")).to_have_count(chosen_before + 1)
    assert page.get_by_label("Start").input_value() == start_value
    assert page.get_by_label("Slutt").input_value() > end_before
    summary = page.locator(".booking-summary")
    assert "Må godkjennes" in summary.inner_text()
    total = page.locator("#summary-total").inner_text()
    assert re.fullmatch(r"kr\xa0[\d\xa0]+,\d\d", total), total
    company.check("calendar-chosen")
    page.get_by_role("button", name="Send bestillingsforespørsel").click()

    # Pending, never invoiced.
    assert "/bookings/mine/" in page.url
    company.check("my-bookings")
    rows = page.locator("tbody tr").filter(has_text="MR-skanner for hjerneforskning").filter(has_text="Venter")
    links = rows.locator("a[href^='/bookings/']").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    newest = max((href for href in links if re.fullmatch(r"/bookings/\d+/", href)), key=lambda h: int(h.split("/")[2]))
    company.goto(newest)
    booking_url = page.url
    assert page.locator("#booking-status").inner_text() == "Venter på godkjenning"
    company.check("booking-pending")

    # The manager approves it in the queue.
    manager = visit("manager", viewport)
    manager.log_in(MANAGER)
    open_my_page(manager.page, "Bestillingsforespørsler")
    manager.check("queue")
    booking_id = booking_url.rstrip("/").rsplit("/", 1)[-1]
    manager.page.locator(f"tr:has(a[href='/bookings/{booking_id}/'])").get_by_role("checkbox").check()
    manager.page.get_by_role("button", name="Godkjenn valgte").click()
    manager.check("queue-after-approval")

    # The company sees it confirmed and adds it to its calendar: the file's times are the booking's.
    company.goto(booking_url.replace(company.portal, ""))
    assert company.page.locator("#booking-status").inner_text() == "Bekreftet"
    company.check("booking-confirmed")
    with company.page.expect_download() as download_info:
        company.page.get_by_role("link", name="Legg til i kalenderen (.ics)").click()
    event = Calendar.from_ical(open(download_info.value.path(), "rb").read()).walk("VEVENT")[0]
    start = datetime.datetime.fromisoformat(start_value).replace(tzinfo=OSLO)
    assert event.decoded("dtstart") == start
    assert event.decoded("dtend") > event.decoded("dtstart")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_company_sends_a_request_and_a_screener_routes_it(visit, viewport):
    company = visit("company", viewport)
    company.log_in(COMPANY)
    page = company.goto("/")
    open_menu_if_folded(page)
    page.get_by_role("link", name="Send en henvendelse").first.click()
    company.check("request-form")
    need = f"Vi trenger flowcytometri av 40 prøver med cellekulturer i januar ({viewport})."
    page.get_by_label("Bedriftens navn").fill("Demo Helse AS")
    page.get_by_label("Organisasjonsnummer").fill("988077917")
    page.get_by_label("Kontaktperson").fill("Demo Bedrift")
    page.get_by_label("E-post").fill(COMPANY)
    page.get_by_label("Beskrivelse av behovet").fill(need)
    page.get_by_label("Foretrukket institusjon").select_option(label="Universitetet i Oslo")  # UiO's screeners
    for select in page.locator("main form select:not([multiple]):not([name^=preferred])").all():  # any will do
        if not select.input_value():
            values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
            select.select_option(values[0])
    page.get_by_label("Samtykke til deling").check()
    page.locator("main form").get_by_role("button", name="Send").click()
    company.check("request-sent")
    assert "Flowcytometri" not in page.url  # left the form

    screener = visit("screener", viewport)
    screener.log_in(SCREENER)
    open_my_page(screener.page, "Screeningkø")
    screener.check("screening-queue")
    # The newest request in the queue is this one (its number is the highest).
    numbers = [int(text.lstrip("#")) for text in screener.page.locator("main a", has_text="#").all_inner_texts()]
    screener.page.get_by_role("link", name=f"#{max(numbers)}", exact=True).click()
    assert need in screener.page.locator("main").inner_text()
    screener.check("request-detail")
    # The picker suggests facilities from the request's words; a filter box finds others; boxes are ticked.
    facilities = screener.page.get_by_role("group", name="Fasiliteter")
    suggested = facilities.get_by_role("list", name="Forslag ut fra henvendelsen")
    suggested.get_by_label(re.compile("^Flowcytometri – UiO")).check()
    others = facilities.get_by_role("list", name="Alle andre fasiliteter").get_by_role("listitem")
    everything = others.count()
    facilities.get_by_label("Finn en annen fasilitet").fill("elektronmikroskop")
    expect(facilities.get_by_text(re.compile(r"Fasiliteter som passer: \d+"))).to_be_visible()
    shown = others.filter(visible=True)
    assert 0 < shown.count() < everything
    assert all("elektronmikroskop" in terms for terms in shown.evaluate_all("items => items.map(i => i.dataset.terms)"))
    assert "Flowcytometri – UiO" in suggested.inner_text()
    screener.check("request-routing-picker")
    facilities.get_by_label("Finn en annen fasilitet").fill("")
    screener.page.get_by_role("button", name="Videresend").click()
    screener.check("request-routed")
    assert "Flowcytometri" in screener.page.locator("main").inner_text()


# A microscope that is confirmed at once and needs no training.
RACE_FACILITY = "/facilities/ntnu-cellular-molecular-imaging-core-facility/"
RACERS = ["demo.bedrift@example.org", "demo.bedrift2@example.org"]
RACE_WEEKS_AHEAD = {"desktop": 5, "phone": 6}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_two_companies_race_for_one_time_and_the_other_books_an_alternative(visit, viewport):
    """Journey 4: two browser contexts send the same time at the same moment."""
    racers = [visit(f"company-{number}", viewport) for number in (1, 2)]
    for racer, email in zip(racers, RACERS, strict=True):
        racer.log_in(email)
        page = racer.goto(RACE_FACILITY)
        page.get_by_role("link", name=re.compile(r"^Bestill\W+Mikroskop")).click()
        for _ in range(RACE_WEEKS_AHEAD[viewport]):
            page.get_by_role("link", name=re.compile("Neste uke")).click()
        page.locator("table.week-grid a[data-slot]").first.click()
        assert "Bekreftes med en gang" in page.locator(".booking-summary").inner_text()
    chosen = [racer.page.get_by_label("Start").input_value() for racer in racers]
    assert chosen[0] == chosen[1], "both chose the same time"
    racers[0].check("race-chosen")

    # Both press "Bestill" at the same moment (each page's own timer, set to the same instant).
    moment = racers[0].page.evaluate("Date.now()") + 700
    for racer in racers:
        racer.page.evaluate(
            """moment => setTimeout(() => document.querySelector("#booking-form button[type=submit]").click(),
                                    moment - Date.now())""",
            moment,
        )
    for racer in racers:
        # The winner lands on its bookings; the other's form answers at the form's address (no chosen time in it).
        racer.page.wait_for_url(re.compile(r"/bookings/mine/$|/book/\?week=[\d-]+$"), timeout=30_000)
        racer.page.wait_for_load_state()
    winners = [racer for racer in racers if "/bookings/mine/" in racer.page.url]
    losers = [racer for racer in racers if racer not in winners]
    assert len(winners) == 1 and len(losers) == 1, [racer.page.url for racer in racers]
    winner, loser = winners[0], losers[0]
    expect(winner.page.get_by_text("Bestillingen din er bekreftet")).to_be_visible()
    winner.check("race-won")

    # The other is told plainly, sees the nearest free times and books one with one click.
    conflict = loser.page.get_by_role("alert").filter(has_text="Tiden er allerede tatt")
    expect(conflict).to_be_visible()
    loser.check("race-lost")
    alternatives = conflict.get_by_role("button", name=re.compile("^Bestill "))
    assert alternatives.count() >= 2
    picked = alternatives.first.inner_text()
    alternatives.first.click()
    expect(loser.page.get_by_text("Bestillingen din er bekreftet")).to_be_visible()
    loser.check("race-alternative-booked")
    time_text = picked.removeprefix("Bestill ").split(" kl. ")[-1]  # "09:00–10:00"
    row = loser.page.locator("tbody tr").filter(has_text="Mikroskop").filter(has_text=time_text)
    expect(row.first).to_be_visible()


# The calculator's worked figures with twice the capacity: 275,00 kr an hour full cost, a floor of 288,75 kr.
CALCULATOR_FIGURES = {
    "Areal (m²)": "20", "Arealsats per m² (kr)": "3004", "Utstyrskostnad (kr)": "2000000",
    "Avskrivningstid (år)": "10", "Serviceavtaler (kr/år)": "50000", "Forbruksmateriell (kr/år)": "30000",
    "Andre direkte driftskostnader (kr/år)": "9920", "Årlig kapasitet (timer eller prøver)": "3000",
    "Intern andel av den ikke-økonomiske prisen": "0.35", "Påslag for økonomisk bruk": "0.05",
}  # fmt: skip
STAFF_LINE = {"Årslønn (kr)": "600000", "Sosiale kostnader (sats)": "0.25", "Andel årsverk": "0.5",
              "Indirekte kostnader per årsverk (kr/år)": "200000"}  # fmt: skip
PRICED_RESOURCE = "Translasjonell MRI nevroimaging – MR-kompatibelt EEG-utstyr"  # UiO's manager prices it


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_manager_saves_the_calculator_as_a_cost_base_and_is_refused_a_price_below_it(visit, viewport):
    """Journey 6. A year ahead of the resource's price lists, so the other journeys' prices stay as they are."""
    manager = visit("manager", viewport)
    manager.log_in(MANAGER)
    page = manager.goto("/")
    open_menu_if_folded(page)
    page.get_by_role("link", name="Priskalkulator").first.click()
    manager.check("calculator")
    form = page.locator("main form")
    form.get_by_label("Utstyret er finansiert av Forskningsrådet").check()
    for label, value in CALCULATOR_FIGURES.items():
        form.get_by_label(f"{label}:", exact=True).fill(value)
    first_staff_line = form.get_by_role("group", name="Personallinje 1")
    first_staff_line.get_by_label("Rolle:", exact=True).fill("Overingeniør")
    for label, value in STAFF_LINE.items():
        first_staff_line.get_by_label(f"{label}:", exact=True).fill(value)
    year = datetime.date.today().year + 3
    save = form.get_by_role("group", name="Lagre som kostnadsgrunnlag")
    save.get_by_label("Ressurs").select_option(label=PRICED_RESOURCE)
    save.get_by_label("År:", exact=True).fill(str(year))
    save.get_by_label("Kapasitet telles i").select_option(label="Timer")
    save.get_by_role("button", name="Beregn og lagre som kostnadsgrunnlag").click()

    expect(page.get_by_text(f"Tallene er lagret som kostnadsgrunnlaget for {year}")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(str(year))
    assert "288,75" in page.locator("main").inner_text()  # the external economic price: the floor
    manager.check("cost-base-saved")

    # A price list for that year below full cost is refused, and the page names the floor of that year.
    page.get_by_role("link", name="Prislister").click()
    page.get_by_label("Gyldig fra").fill(f"{year}-01-01")
    page.get_by_label("Gyldig til").fill(f"{year}-12-31")
    page.get_by_label("Ekstern, økonomisk – Time").fill("250")
    page.get_by_role("button", name="Lagre prisliste").click()
    refusal = page.get_by_role("alert").filter(has_text="under")
    expect(refusal.first).to_contain_text("kr\xa0288,75")
    expect(page.locator("main")).to_contain_text(f"Fullkostpris etter kostnadsgrunnlaget for {year}")
    manager.check("price-list-refused")


def test_a_company_without_an_account_gets_a_proposal_and_accepts_it(visit, mailbox):
    """Journey 5, on a desktop (the phone runs the same pages in journey 2): everything the company does, it does
    from the links it is e-mailed, as a company that never signs up would."""
    address = f"innkjop.{int(time.time() * 1000)}@eksempel-bio.example.org"
    need = "Vi trenger flowcytometri av 40 prøver med cellekulturer, helst i januar, og hjelp til analysen."
    company = visit("company", "desktop")
    page = company.goto("/")
    page.get_by_role("link", name="Send en henvendelse").first.click()
    expect(page.get_by_text(re.compile("uten (en )?konto"))).to_be_visible()
    page.get_by_label("Bedriftens navn").fill("Eksempel Bio AS")
    page.get_by_label("Organisasjonsnummer").fill("988077917")
    page.get_by_label("Kontaktperson").fill("Kari Nordmann")
    page.get_by_label("E-post").fill(address)
    page.get_by_label("Beskrivelse av behovet").fill(need)
    page.get_by_label("Foretrukket institusjon").select_option(label="Universitetet i Oslo")
    for select in page.locator("main form select:not([multiple]):not([name^=preferred])").all():
        if not select.input_value():
            values = [v for v in select.locator("option").evaluate_all("os => os.map(o => o.value)") if v]
            select.select_option(values[0])
    page.get_by_label("Samtykke til deling").check()
    page.locator("main form").get_by_role("button", name="Send").click()
    company.check("request-sent-anonymous")

    # The e-mail's link confirms the address (a button, so that a mail scanner's visit confirms nothing).
    confirm = mailbox.link(address, r"https?://[^\s\"<>]+/intake/confirm/[^\s\"<>]+/")
    page.goto(confirm)
    company.check("confirm")
    page.get_by_role("button", name="Bekreft og send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Henvendelsen er bekreftet")
    number = re.search(r"Henvendelse nr. (\d+)", page.locator("main").inner_text()).group(1)
    follow = page.get_by_role("link", name="Følg henvendelsen din").get_attribute("href")

    # A UiO screener routes it to a facility at UiO and one at UiB, both from the picker's suggestions.
    screener = visit("screener", "desktop")
    screener.log_in(SCREENER)
    screener.goto(f"/intake/requests/{number}/")
    screener.page.get_by_role("checkbox", name="Behovet er klart").check()
    screener.page.get_by_role("checkbox", name="Passer med det institusjonen har").check()
    screener.page.get_by_role("button", name="Lagre sjekklisten").click()
    suggested = screener.page.get_by_role("list", name="Forslag ut fra henvendelsen")
    suggested.get_by_label("Flowcytometri – UiO").check()
    suggested.get_by_label("Flow og massecytometri – UiB").check()
    screener.check("routing-two-facilities")
    screener.page.get_by_role("button", name="Videresend").click()
    routed = screener.page.locator("section", has=screener.page.get_by_role("heading", name="Fasiliteter"))
    expect(routed).to_contain_text("Flowcytometri (UiO)")
    expect(routed).to_contain_text("Flow og massecytometri (UiB)")

    # UiO's facility manager accepts with a proposal: an agreement for a service performed by staff.
    manager = visit("manager", "desktop")
    manager.log_in(MANAGER)
    manager.goto(f"/intake/requests/{number}/")
    answer = manager.page.locator("section", has=manager.page.get_by_role("heading", name="Svar for Flowcytometri"))
    answer.get_by_label("Vi foreslår").select_option(label="En avtale")
    answer.get_by_label("Avtaletype").select_option(label="Tjenester utført av ansatte")
    answer.get_by_label("Forslag:", exact=True).fill("Vi kjører prøvene i uke 3 og sender rapporten uka etter.")
    manager.check("proposal")
    answer.get_by_role("button", name="Aksepter med dette forslaget").click()
    manager.check("proposal-sent")

    # The company reads the proposal from its link and accepts it.
    company.goto(follow)
    proposal = company.page.locator("li", has_text="Flowcytometri (UiO)")
    expect(proposal).to_contain_text("Tjenester utført av ansatte")
    company.check("proposal-received")
    proposal.get_by_role("button", name="Godta dette tilbudet og avtalen").click()
    company.check("proposal-accepted")
    expect(company.page.locator("li", has_text="Flowcytometri (UiO)")).to_contain_text("Godtatt")


def test_the_booking_calendar_by_drag_keyboard_and_without_javascript(visit, chromium):
    """Issue 19's calendar: drag down a day to choose a stretch, Shift and the arrow keys to make it longer or
    shorter, never past the maximum length; without JavaScript the links and the form do it."""
    company = visit("company", "desktop")
    company.log_in(RACERS[0])
    page = company.goto(RACE_FACILITY)
    page.get_by_role("link", name=re.compile(r"^Bestill\W+Mikroskop")).click()
    for _ in range(3):
        page.get_by_role("link", name=re.compile("Neste uke")).click()
    free_days = page.locator("table.week-grid td[data-start]").evaluate_all(
        "cells => [...new Set(cells.map(c => c.cellIndex))]"
    )
    column = free_days[-1]  # the last day with free time, where the other journeys do not book
    cells = page.locator(f"table.week-grid tbody tr td:nth-child({column + 1})[data-start]")
    first, fourth = cells.nth(0), cells.nth(3)
    start = first.get_attribute("data-start")

    def chosen() -> tuple[str, str]:
        return page.get_by_label("Start").input_value(), page.get_by_label("Slutt").input_value()

    # Drag from the first free time down four rows: two hours.
    first.locator("a").hover()
    page.mouse.down()
    fourth.locator("a").hover()
    expect(page.locator("table.week-grid td.dragging")).to_have_count(4)
    page.mouse.up()
    page.wait_for_url(re.compile("start=.*end="))
    assert chosen() == (start, fourth.get_attribute("data-end"))
    assert "kl." in page.locator(".booking-summary").inner_text()
    company.check("calendar-dragged")

    # Shift+Down makes it half an hour longer, Shift+Up shorter again.
    page.locator("table.week-grid a[aria-current='true']").first.focus()
    page.keyboard.press("Shift+ArrowDown")
    page.wait_for_url(re.compile(re.escape(cells.nth(4).get_attribute("data-end").replace(":", "%3A"))))
    assert chosen()[1] == cells.nth(4).get_attribute("data-end")
    page.locator("table.week-grid a[aria-current='true']").first.focus()
    page.keyboard.press("Shift+ArrowUp")
    page.wait_for_url(re.compile(re.escape(cells.nth(3).get_attribute("data-end").replace(":", "%3A"))))

    # Past the maximum length the stretch is marked and nothing is chosen. Every demo resource opens eight hours a
    # day and allows eight, so the table is told a maximum of two hours, as a resource with that rule would say.
    page.locator("table.week-grid").evaluate("table => table.setAttribute('data-max-minutes', '120')")
    before = page.url
    first.locator("a").hover()
    page.mouse.down()
    cells.nth(4).locator("a").hover()
    expect(page.locator("table.week-grid td.drag-invalid")).to_have_count(5)
    page.mouse.up()
    page.wait_for_timeout(500)
    assert page.url == before

    # Without JavaScript: a click on a time is a link to the page with it chosen, and the form takes it from there.
    plain = chromium.new_context(
        java_script_enabled=False,
        locale="nb-NO",
        viewport={"width": 1280, "height": 800},
        storage_state=company.context.storage_state(),
    )
    try:
        plain_page = plain.new_page()
        plain_page.goto(page.url.split("?")[0] + f"?week={start[:10]}")
        plain_page.locator(f"table.week-grid td[data-start='{start}'] a").click()
        assert "start=" in plain_page.url and "end=" in plain_page.url
        assert plain_page.get_by_label("Start").input_value() == start
        assert "Bekreftes med en gang" in plain_page.locator(".booking-summary").inner_text()
    finally:
        plain.close()
