"""Every kind of EHF document the product makes passes the official CEN EN 16931 and Peppol BIS 3 rules (the
Norwegian NO-R rules included) with no fatal error and no warning: run offline by the validator in
../shared/reference/peppol (see tests/accounting/peppol.py)."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.urls import reverse

from accounting import ehf, selectors
from booking.choices import BookingStatus
from catalogue.choices import InstitutionRoleKind
from core.errors import DomainError
from pricing import terms
from pricing.choices import Transaction
from tests.accounting.helpers import non_economic
from tests.accounting.peppol import findings, peppol_validate
from tests.booking.factories import BookingFactory, ServiceOrderFactory
from tests.factories import FacilityFactory, InstitutionFactory, InstitutionRoleFactory, ResourceFactory
from tests.helpers import oslo

pytestmark = pytest.mark.django_db

D = Decimal
ORG = "988077917"  # Eksempel AS
SELLER_ORG = "983974724"  # a health trust: in Foretaksregisteret
NS = {"cac": ehf.NS_CAC, "cbc": ehf.NS_CBC}
MAY = {"first_day": oslo(2026, 5, 1).date(), "last_day": oslo(2026, 5, 31).date()}


@pytest.fixture(scope="module")
def validate():
    return peppol_validate()


@pytest.fixture
def seller(settings):
    settings.ACCOUNTING_FORETAKSREGISTERET_ORG_NUMBERS = SELLER_ORG
    return InstitutionFactory(name="Helse Bergen HF", org_number=SELLER_ORG, city="Bergen")


@pytest.fixture
def resource(seller):
    return ResourceFactory(facility=FacilityFactory(institution=seller), name="Elektronmikroskop")


def economic(resource, day, **kwargs):
    return BookingFactory(charged=True, resource=resource, start=oslo(2026, 5, day, 9), **kwargs)


def outside_scope(resource, day, **kwargs):
    return BookingFactory(charged=True, resource=resource, start=oslo(2026, 5, day, 9), **non_economic(**kwargs))


def late_cancellation(resource, day, **kwargs):
    return BookingFactory(
        charged=True, resource=resource, start=oslo(2026, 5, day, 9), status=BookingStatus.CANCELLED, hours=4,
        charged_net_amount=D("1000.00"), charged_vat_amount=D("250.00"), charged_total_amount=D("1250.00"), **kwargs,
    )  # fmt: skip


def document(seller, **arguments):
    scope = selectors.institution_scope(seller.id)
    arguments = {"org_number": ORG, **MAY, **arguments}
    xml, _name = ehf.invoice_for_payer(scope=scope, issue_date=oslo(2026, 6, 1).date(), **arguments)
    return xml


def foreign(resource, day, **kwargs):
    return economic(resource, day, payer_name="Svenska Labb AB", payer_org_number="", **kwargs)


EXEMPT_REASON = "Unntatt etter merverdiavgiftsloven § 3-2: helsetjenester"


def exempt(resource, day, **kwargs):
    """A service the institution's VAT table exempts (category E with its reason), without VAT."""
    return economic(resource, day, vat_rate=D(0), vat_category="E", vat_reason=EXEMPT_REASON, **kwargs)


def zero_rated(resource, day, **kwargs):
    """A sale the institution's VAT table rates at zero (category Z)."""
    return economic(resource, day, vat_rate=D(0), vat_category="Z", **kwargs)


def collaboration(resource, day, **kwargs):
    """Collaboration research under an agreement, with the category and reason the booking was made with."""
    outside = terms.DEFAULT_VAT[Transaction.COLLABORATION]
    return outside_scope(
        resource, day, vat_category="O", vat_reason_code=outside.reason_code, vat_reason=outside.reason, **kwargs
    )


def service_order(resource, day, **kwargs):
    """Staff-run work from an accepted quote, delivered on that day: charged at its stored amounts."""
    return ServiceOrderFactory(resource=resource, status="delivered", delivered_at=oslo(2026, 5, day, 14), **kwargs)


# Each kind of document the product makes: (what is booked, the arguments of the export, the VAT categories).
KINDS = {
    "economic use with VAT": (
        lambda resource: [economic(resource, 4, hours=3, unit_price=D("1333.33")), economic(resource, 5, hours=1.5)],
        {},
        {"S"},
    ),
    "economic use and a late cancellation": (
        lambda resource: [economic(resource, 4), late_cancellation(resource, 6)],
        {},
        {"S"},
    ),
    "non-economic use, outside the scope of VAT": (
        lambda resource: [outside_scope(resource, 7, hours=4, unit_price=D("700.00"))],
        {},
        {"O"},
    ),
    "the part outside the scope of VAT of a payer with both": (
        lambda resource: [economic(resource, 4), outside_scope(resource, 7)],
        {"vat": "outside_scope"},
        {"O"},
    ),
    "the taxable part of a payer with both": (
        lambda resource: [economic(resource, 4), outside_scope(resource, 7)],
        {"vat": "taxable"},
        {"S"},
    ),
    "a credit note for a late cancellation": (
        lambda resource: [economic(resource, 4), late_cancellation(resource, 6)],
        {"document": "credit_note", "billing_reference": "LT-2026-0001"},
        {"S"},
    ),
    "collaboration research under an agreement, outside the scope with its reason": (
        lambda resource: [collaboration(resource, 7, hours=4, unit_price=D("700.00"))],
        {},
        {"O"},
    ),
    "a service the institution exempts, with the reason": (
        lambda resource: [exempt(resource, 4)],
        {},
        {"E"},
    ),
    "standard-rated, zero-rated and exempt lines of one payer on one invoice": (
        lambda resource: [economic(resource, 4), zero_rated(resource, 5), exempt(resource, 6)],
        {},
        {"S", "Z", "E"},
    ),
    "a delivered service order beside a booking": (
        lambda resource: [economic(resource, 4), service_order(resource, 8)],
        {},
        {"S"},
    ),
    "a foreign buyer with a VAT number": (
        lambda resource: [foreign(resource, 4)],
        {
            "org_number": "",
            "payer_name": "Svenska Labb AB",
            "buyer_country": "SE",
            "buyer_endpoint": "0007:5567164818",
            "buyer_vat_number": "SE556716481801",
        },  # fmt: skip
        {"S"},
    ),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_document_passes_the_official_rules_without_a_warning(validate, seller, resource, kind):
    book, arguments, categories = KINDS[kind]
    bookings = book(resource)
    if arguments.get("document") == "credit_note":
        arguments = {**arguments, "bookings": (bookings[-1].pk,)}
    xml = document(seller, **arguments)

    assert findings(validate, xml) == []
    root = ET.fromstring(xml)
    assert {c.text for c in root.findall(".//cac:ClassifiedTaxCategory/cbc:ID", NS)} == categories


def test_a_credit_note_is_a_ubl_credit_note_of_the_credited_charge_referring_to_the_invoice(validate, seller, resource):
    kept, waived = economic(resource, 4), late_cancellation(resource, 6)
    xml = document(seller, document="credit_note", bookings=(waived.pk,), billing_reference="LT-2026-0001")

    root = ET.fromstring(xml)
    assert root.tag == f"{{{ehf.NS_CREDIT_NOTE}}}CreditNote"
    assert root.find("cbc:CreditNoteTypeCode", NS).text == "381"
    assert root.find("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS).text == "LT-2026-0001"
    lines = root.findall("cac:CreditNoteLine", NS)
    assert [line.find("cac:Item/cac:SellersItemIdentification/cbc:ID", NS).text for line in lines] == [
        f"booking-{waived.pk}"
    ]
    assert root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text == "1250.00"
    assert kept.pk != waived.pk


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"document": "credit_note", "billing_reference": "LT-1"}, "bookings"),  # nothing named to credit
        ({"document": "credit_note", "bookings": (999999,), "billing_reference": "LT-1"}, "bookings"),
        ({"document": "credit_note", "bookings": "the booking", "billing_reference": ""}, "billing_reference"),
        ({"document": "receipt"}, "document"),
    ],
)
def test_a_credit_note_needs_chargeable_bookings_and_the_invoice_it_credits(seller, resource, arguments, field):
    booking = economic(resource, 4)
    if arguments.get("bookings") == "the booking":
        arguments = {**arguments, "bookings": (booking.pk,)}
    with pytest.raises(DomainError) as error:
        document(seller, **arguments)
    assert error.value.field == field


def test_a_free_cancellation_or_a_pending_booking_cannot_be_credited(seller, resource):
    free = economic(resource, 4, status=BookingStatus.CANCELLED, charged_net_amount=D(0), charged_vat_amount=D(0),
                    charged_total_amount=D(0))  # fmt: skip
    pending = economic(resource, 5, status=BookingStatus.PENDING)
    for booking in (free, pending):
        with pytest.raises(DomainError) as error:
            document(seller, document="credit_note", bookings=(booking.pk,), billing_reference="LT-1")
        assert error.value.code == "not_chargeable"


def test_outside_the_scope_of_vat_is_category_o_with_its_vatex_code_never_exempt(validate, seller, resource):
    outside_scope(resource, 7)
    root = ET.fromstring(document(seller))
    category = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category.find("cbc:ID", NS).text == "O"
    assert category.find("cbc:TaxExemptionReasonCode", NS).text == "VATEX-EU-O"
    assert "unntatt" not in ET.tostring(root, encoding="unicode")  # no exemption in the VAT act
    # BR-O-02: no seller VAT number on a document outside the scope of VAT, though the seller is registered
    schemes = [s.text for s in root.findall("cac:AccountingSupplierParty//cac:PartyTaxScheme/cac:TaxScheme/cbc:ID", NS)]
    assert schemes == ["TAX"]


def test_lines_with_and_without_vat_of_one_payer_need_two_documents(seller, resource):
    economic(resource, 4)
    outside_scope(resource, 7)
    with pytest.raises(DomainError) as error:
        document(seller)
    assert (error.value.field, error.value.code) == ("vat", "mixed_vat")


def test_a_seller_outside_the_vat_register_invoices_outside_the_scope(validate, seller, resource, settings):
    settings.ACCOUNTING_SELLER_VAT_REGISTERED = False
    outside_scope(resource, 7)
    xml = document(seller)
    assert findings(validate, xml) == []
    assert b"Merverdiavgiftsregisteret" in xml


@pytest.mark.parametrize("registered, warnings", [(True, []), (False, ["warning NO-R-002"])])
def test_foretaksregisteret_is_stated_for_the_sellers_registered_there(
    validate, seller, resource, settings, registered, warnings
):
    settings.ACCOUNTING_FORETAKSREGISTERET_ORG_NUMBERS = SELLER_ORG if registered else ""
    economic(resource, 4)
    xml = document(seller)
    assert [finding.split(":")[0] for finding in findings(validate, xml)] == warnings
    assert (b"Foretaksregisteret" in xml) is registered


def test_control_characters_in_names_are_removed_and_the_xml_stays_valid(validate, seller, resource):
    seller.name = "Helse\x01 Bergen\x1f HF"
    seller.save()
    resource.name = "Elektron\x0bmikroskop"
    resource.save()
    economic(resource, 4, payer_name="Eksempel\x02 AS\x07")
    xml = document(seller)

    root = ET.fromstring(xml)  # well-formed
    assert findings(validate, xml) == []
    assert root.find("cac:AccountingCustomerParty//cbc:RegistrationName", NS).text == "Eksempel AS"
    assert root.find("cac:AccountingSupplierParty//cbc:RegistrationName", NS).text == "Helse Bergen HF"
    assert root.find(".//cac:Item/cbc:Name", NS).text == "Elektronmikroskop"


@pytest.mark.parametrize(
    "arguments, field",
    [
        ({"org_number": "", "payer_name": "Svenska Labb AB", "buyer_country": "SE"}, "buyer_endpoint"),
        ({"org_number": "", "payer_name": "Svenska Labb AB", "buyer_endpoint": "5567164818"}, "buyer_endpoint"),
        (
            {
                "org_number": "",
                "payer_name": "Svenska Labb AB",
                "buyer_country": "SE",
                "buyer_endpoint": "0007:5567164818",
                "buyer_vat_number": "NO988077917MVA",
            },
            "buyer_vat_number",
        ),  # fmt: skip
        ({"org_number": "", "payer_name": "Svenska Labb AB", "buyer_country": "Sverige"}, "buyer_country"),
        ({"org_number": "", "payer_name": "Nobody AB"}, "payer_name"),
    ],
)
def test_a_foreign_buyer_is_addressed_by_country_peppol_address_and_vat_number(seller, resource, arguments, field):
    foreign(resource, 4)
    with pytest.raises(DomainError) as error:
        document(seller, **arguments)
    assert error.value.field == field


def test_credit_note_and_foreign_buyer_through_the_api(validate, seller, resource, client):
    waived = late_cancellation(resource, 6)
    foreign(resource, 8)
    client.force_login(InstitutionRoleFactory(institution=seller, role=InstitutionRoleKind.ADMIN).user)
    url = reverse("api-v1:accounting-institution-ehf", args=[seller.id])

    credit = client.get(
        url, {"org_number": ORG, "document": "credit_note", "bookings": str(waived.pk), "billing_reference": "F-17"}
    )
    assert credit.status_code == 200, credit.content
    assert findings(validate, credit.content) == []
    abroad = client.get(
        url,
        {"payer_name": "Svenska Labb AB", "buyer_country": "SE", "buyer_endpoint": "0007:5567164818",
         "buyer_vat_number": "SE556716481801", "from": "2026-05-01", "to": "2026-05-31"},
    )  # fmt: skip
    assert abroad.status_code == 200, abroad.content
    assert findings(validate, abroad.content) == []
    refused = client.get(url, {"org_number": ORG, "document": "credit_note", "bookings": "1,x"})
    assert refused.status_code == 400 and "bookings" in refused.json()


def test_an_exempt_line_states_its_reason_and_a_zero_rated_one_none(validate, seller, resource):
    economic(resource, 4)
    zero_rated(resource, 5)
    exempt(resource, 6)
    root = ET.fromstring(document(seller))
    categories = {
        category.find("cbc:ID", NS).text: category for category in root.findall("cac:TaxTotal//cac:TaxCategory", NS)
    }
    assert categories["E"].find("cbc:TaxExemptionReason", NS).text == EXEMPT_REASON
    assert categories["Z"].find("cbc:TaxExemptionReason", NS) is None
    assert categories["S"].find("cbc:Percent", NS).text == "25"
    assert root.find("cac:TaxTotal/cbc:TaxAmount", NS).text == "500.00"  # VAT on the standard-rated line only


def test_the_owning_institutions_own_use_is_never_invoiced(seller, resource):
    internal = outside_scope(
        resource, 4, price_tier="internal", payer_name="Eksempel AS", vat_category="O",
        vat_reason=terms.DEFAULT_VAT[Transaction.INTERNAL_TRANSFER].reason,
    )  # fmt: skip
    payer = selectors.invoice_basis(facility_ids=[resource.facility_id], **MAY).payer(ORG)
    assert [line.internal_transfer for line in payer.lines] == [True] and internal.pk == payer.lines[0].booking_id
    assert ehf.vat_parts(payer) == []
    with pytest.raises(DomainError) as error:
        document(seller)
    assert (error.value.field, error.value.code) == ("org_number", "internal_transfer")


def test_a_service_order_line_names_the_order(validate, seller, resource):
    order = service_order(resource, 8)
    root = ET.fromstring(document(seller))
    assert [i.text for i in root.findall(".//cac:SellersItemIdentification/cbc:ID", NS)] == [
        f"service-order-{order.pk}"
    ]
    assert root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text == "12500.00"


def test_the_institutions_own_exemption_and_outside_scope_reasons_reach_the_invoice(validate, seller, resource):
    # The institution's VAT table: a service exempt with its VATEX code, another outside the scope with its own
    # reason but no code (the table asks for the reason only); the invoice carries each as the booking recorded it.
    own_reason = "Utenfor merverdiavgiftsloven etter vedtak fra skattekontoret 2026"
    exempt(resource, 4, vat_reason_code="VATEX-EU-132")
    outside_scope(resource, 7, vat_category="O", vat_reason=own_reason, vat_reason_code="")
    taxable, outside = document(seller, vat="taxable"), document(seller, vat="outside_scope")

    assert findings(validate, taxable) == [] and findings(validate, outside) == []
    exempt_category = ET.fromstring(taxable).find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert exempt_category.find("cbc:ID", NS).text == "E"
    assert exempt_category.find("cbc:TaxExemptionReasonCode", NS).text == "VATEX-EU-132"
    assert exempt_category.find("cbc:TaxExemptionReason", NS).text == EXEMPT_REASON
    outside_category = ET.fromstring(outside).find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert outside_category.find("cbc:ID", NS).text == "O"
    assert outside_category.find("cbc:TaxExemptionReasonCode", NS).text == "VATEX-EU-O"
    assert outside_category.find("cbc:TaxExemptionReason", NS).text == own_reason
