"""EHF / PEPPOL BIS Billing 3.0 invoice XML: parsed back, checked for required elements, namespaces and sums."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from accounting import ehf, selectors
from booking.choices import BookingStatus
from catalogue.choices import InstitutionRoleKind
from core.errors import DomainError
from tests.accounting.helpers import non_economic
from tests.booking.factories import BookingFactory
from tests.factories import FacilityFactory, InstitutionFactory, InstitutionRoleFactory, ResourceFactory
from tests.helpers import oslo

pytestmark = pytest.mark.django_db

D = Decimal
NS = {"inv": ehf.NS_INVOICE, "cac": ehf.NS_CAC, "cbc": ehf.NS_CBC}
ORG = "988077917"


@pytest.fixture
def seller():
    return InstitutionFactory(name="Universitetet i Bergen", org_number="874789542", city="Bergen")


@pytest.fixture
def payer_bookings(seller):
    resource = ResourceFactory(facility=FacilityFactory(institution=seller), name="Elektronmikroskop")
    return [
        BookingFactory(charged=True, resource=resource, start=oslo(2026, 5, 4, 9), hours=3, unit_price=D("1333.33")),
        BookingFactory(charged=True, resource=resource, start=oslo(2026, 5, 5, 9), hours=1.5, unit_price=D("999.99")),
        BookingFactory(
            charged=True,
            resource=resource,
            start=oslo(2026, 5, 6, 9),
            status=BookingStatus.CANCELLED,
            charged_net_amount=D("500.00"),
            charged_vat_amount=D("125.00"),
            charged_total_amount=D("625.00"),
        ),
        BookingFactory(
            charged=True,
            resource=resource,
            start=oslo(2026, 5, 7, 9),
            hours=4,
            unit_price=D("700.00"),
            **non_economic(),
        ),
    ]


def build(seller, org_number=ORG, vat="taxable"):
    scope = selectors.institution_scope(seller.id)
    basis = selectors.invoice_basis(
        facility_ids=scope.facility_ids, first_day=oslo(2026, 5, 1).date(), last_day=oslo(2026, 5, 31).date()
    )
    payer = basis.payer(org_number)
    xml = ehf.invoice_xml(
        seller=seller,
        payer=payer,
        first_day=basis.first_day,
        last_day=basis.last_day,
        issue_date=oslo(2026, 6, 1).date(),
        invoice_number="LT-2026-0001",
        vat=vat,
    )
    return ET.fromstring(xml), payer, xml


def text(element, path):
    found = element.find(path, NS)
    assert found is not None, path
    return found.text


def amount(element, path):
    found = element.find(path, NS)
    assert found.get("currencyID") == "NOK", path
    return D(found.text)


def test_invoice_has_the_peppol_header_and_parties(seller, payer_bookings):
    root, payer, xml = build(seller)

    assert xml.startswith(b"<?xml")
    assert root.tag == f"{{{ehf.NS_INVOICE}}}Invoice"
    assert text(root, "cbc:CustomizationID") == (
        "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
    )
    assert text(root, "cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert text(root, "cbc:ID") == "LT-2026-0001"
    assert text(root, "cbc:IssueDate") == "2026-06-01"
    assert text(root, "cbc:DueDate") == "2026-07-01"
    assert text(root, "cbc:InvoiceTypeCode") == "380"
    assert text(root, "cbc:DocumentCurrencyCode") == "NOK"
    assert text(root, "cbc:BuyerReference")
    assert text(root, "cac:InvoicePeriod/cbc:StartDate") == "2026-05-01"

    seller_party = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    endpoint = seller_party.find("cbc:EndpointID", NS)
    assert (endpoint.text, endpoint.get("schemeID")) == ("874789542", "0192")
    assert text(seller_party, "cac:PartyTaxScheme/cbc:CompanyID") == "NO874789542MVA"
    assert text(seller_party, "cac:PartyTaxScheme/cac:TaxScheme/cbc:ID") == "VAT"
    assert text(seller_party, "cac:PartyLegalEntity/cbc:RegistrationName") == "Universitetet i Bergen"
    assert text(seller_party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode") == "NO"

    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    endpoint = buyer.find("cbc:EndpointID", NS)
    assert (endpoint.text, endpoint.get("schemeID")) == (ORG, "0192")
    assert text(buyer, "cac:PartyLegalEntity/cbc:RegistrationName") == "Eksempel AS"
    assert buyer.find("cac:PartyLegalEntity/cbc:CompanyID", NS).get("schemeID") == "0192"


def test_amounts_sum_by_the_en16931_rules_and_match_the_invoice_basis(seller, payer_bookings):
    root, payer, _ = build(seller)
    outside, _, _ = build(seller, vat="outside_scope")
    lines = root.findall("cac:InvoiceLine", NS)
    assert len(lines) == 3  # the taxable lines; the non-economic one is on the document outside the scope of VAT
    assert len(outside.findall("cac:InvoiceLine", NS)) == 1

    line_sum = D("0")
    for line in lines:
        quantity = D(text(line, "cbc:InvoicedQuantity"))
        price = amount(line, "cac:Price/cbc:PriceAmount")
        net = amount(line, "cbc:LineExtensionAmount")
        assert selectors.money(quantity * price) == net  # PEPPOL-EN16931-R120
        assert text(line, "cac:Item/cac:ClassifiedTaxCategory/cac:TaxScheme/cbc:ID") == "VAT"
        line_sum += net
    units = [line.find("cbc:InvoicedQuantity", NS).get("unitCode") for line in lines]
    assert units == ["HUR", "HUR", "C62"]

    subtotals = {
        text(s, "cac:TaxCategory/cbc:ID"): (amount(s, "cbc:TaxableAmount"), amount(s, "cbc:TaxAmount"), s)
        for s in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    }
    assert set(subtotals) == {"S"}
    standard_taxable, standard_vat, standard = subtotals["S"]
    assert text(standard, "cac:TaxCategory/cbc:Percent") == "25"
    # 3999.99 + 1499.99 (1.5 × 999.99 = 1499.985 → 1499.99) + 500.00
    assert standard_taxable == D("5999.98")
    assert standard_vat == D("1000.00") + D("375.00") + D("125.00")
    assert abs(standard_vat - standard_taxable * D("0.25")) < 1  # BR-CO-17

    outside_subtotal = outside.find("cac:TaxTotal/cac:TaxSubtotal", NS)
    assert (amount(outside_subtotal, "cbc:TaxableAmount"), amount(outside_subtotal, "cbc:TaxAmount")) == (
        D("2800.00"),
        D("0.00"),
    )
    assert text(outside_subtotal, "cac:TaxCategory/cbc:ID") == "O"
    assert outside_subtotal.find("cac:TaxCategory/cbc:Percent", NS) is None  # BR-O-05
    assert text(outside_subtotal, "cac:TaxCategory/cbc:TaxExemptionReasonCode") == "VATEX-EU-O"

    tax_total = amount(root, "cac:TaxTotal/cbc:TaxAmount")
    assert tax_total == standard_vat
    totals = root.find("cac:LegalMonetaryTotal", NS)
    assert amount(totals, "cbc:LineExtensionAmount") == line_sum
    assert amount(totals, "cbc:TaxExclusiveAmount") == line_sum
    assert amount(totals, "cbc:TaxInclusiveAmount") == line_sum + tax_total
    outside_payable = amount(outside.find("cac:LegalMonetaryTotal", NS), "cbc:PayableAmount")
    assert amount(totals, "cbc:PayableAmount") + outside_payable == payer.total_amount
    assert payer.total_amount == sum(b.charged_total_amount for b in payer_bookings)


def test_element_order_follows_the_ubl_schema(seller, payer_bookings):
    root, _, _ = build(seller)
    top = [child.tag.split("}")[1] for child in root]
    expected = [
        "CustomizationID",
        "ProfileID",
        "ID",
        "IssueDate",
        "DueDate",
        "InvoiceTypeCode",
        "DocumentCurrencyCode",
        "BuyerReference",
        "InvoicePeriod",
        "AccountingSupplierParty",
        "AccountingCustomerParty",
        "TaxTotal",
        "LegalMonetaryTotal",
    ]
    assert top == expected + ["InvoiceLine"] * 3


def test_no_org_number_or_nothing_to_invoice_is_a_clear_error(seller, payer_bookings):
    with pytest.raises(DomainError) as error:
        build(InstitutionFactory(org_number=""))
    assert error.value.field == "institution"


def test_the_institutions_own_use_is_not_invoiced_with_ehf(seller, payer_bookings):
    BookingFactory(
        charged=True,
        resource=payer_bookings[0].resource,
        start=oslo(2026, 5, 20, 9),
        **non_economic(payer_name="", payer_org_number="", payer_institution=seller, price_tier="internal"),
    )
    with pytest.raises(DomainError) as error:
        build(seller, org_number=seller.org_number)
    assert error.value.field == "org_number"


def test_ehf_download_via_page_and_api(seller, payer_bookings, client):
    admin = InstitutionRoleFactory(institution=seller, role=InstitutionRoleKind.ADMIN).user
    client.force_login(admin)
    query = {"org_number": ORG, "from": "2026-05-01", "to": "2026-05-31", "vat": "taxable"}

    page = client.get(reverse("accounting:institution_ehf", args=[seller.id]), query)
    assert page.status_code == 200 and page["Content-Type"].startswith("application/xml")
    assert ET.fromstring(page.content).find("cbc:ProfileID", NS) is not None

    api = client.get(reverse("api-v1:accounting-institution-ehf", args=[seller.id]), query)
    assert api.status_code == 200
    assert D(ET.fromstring(api.content).find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text) > 0

    unknown = client.get(
        reverse("api-v1:accounting-institution-ehf", args=[seller.id]), {**query, "org_number": "923609016"}
    )
    assert unknown.status_code == 400 and "org_number" in unknown.json()
    malformed = client.get(
        reverse("api-v1:accounting-institution-ehf", args=[seller.id]), {**query, "org_number": "12"}
    )
    assert malformed.status_code == 400 and "org_number" in malformed.json()
