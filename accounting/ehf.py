"""EHF / Peppol BIS Billing 3.0 invoices and credit notes (UBL 2.1) from the invoice basis of one paying
organisation.

The documents are drafts for the institution's invoicing system: they carry every field Peppol BIS 3 requires
and sum as EN 16931 demands, and pass the official CEN and Peppol rules (tests/accounting/test_ehf_validation.py
runs them), but the final number and bank details come from that system. Labtorget does not record which
documents were sent.

Kinds of document:
- an invoice (type 380) of a payer's chargeable lines in a period;
- a credit note (type 381) of named bookings already invoiced (a late-cancellation charge the facility waives,
  say), referring to the original invoice.

VAT category of a line (EN 16931, UNCL 5305): the one its booking was made with, from the transaction and the
institution's VAT table (pricing.terms; docs/pricing.md), with the exemption reason code (VATEX) and text that
E and O require:
- S (standard rate): a sale of rental, service or commissioned research (25 % unless the institution's table
  says otherwise);
- Z (zero rated) and E (exempt, with the institution's reason): where the institution's table says so;
- O (outside the scope of VAT, VATEX-EU-O): collaboration research under an agreement, which is no sale. A seller
  outside the VAT register (ACCOUNTING_SELLER_VAT_REGISTERED off) puts every line outside the scope too.
Bookings made before the category was kept: S when VAT was charged, O otherwise. The owning institution's own use
is an internal transfer and never invoiced.
EN 16931 does not let an invoice with category O carry any other category (BR-O-11 to BR-O-14) or the seller's
VAT number (BR-O-02), so a payer with lines of both kinds gets two documents: `vat="taxable"` (S, Z and E) and
`vat="outside_scope"`.

The seller: organisation number (ISO 6523 ICD 0192) as electronic address and legal identifier, NO<orgnr>MVA
as VAT number when VAT is charged, and "Foretaksregisteret" (NO-R-002) when its organisation number is in
ACCOUNTING_FORETAKSREGISTERET_ORG_NUMBERS. The buyer: Norwegian by its organisation number, or foreign with its
country, Peppol electronic address (EAS scheme:identifier) and, on a taxable document, its VAT number.

Every text goes through core.exports.text_clean first: a control character makes XML not well-formed.
"""

import datetime
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from accounting.selectors import (
    ZERO,
    AccountsScope,
    InvoiceLine,
    PayerInvoiceBasis,
    invoice_basis,
    invoice_basis_of_bookings,
    money,
)
from core.errors import DomainError
from core.exports import line_clean, text_clean

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ORG_NUMBER_SCHEME = "0192"  # Norwegian organisation number (Enhetsregisteret) in ISO 6523
INVOICE_TYPE_COMMERCIAL = "380"
CREDIT_NOTE_TYPE = "381"
UNIT_CODES = {"hour": "HUR", "day": "DAY"}  # UN/ECE Rec. 20; other units are counted as "one" (C62)

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
DOCUMENTS = (INVOICE, CREDIT_NOTE)
TAXABLE = "taxable"  # lines with VAT (category S)
OUTSIDE_SCOPE = "outside_scope"  # lines outside the scope of VAT (category O)
VAT_PARTS = (TAXABLE, OUTSIDE_SCOPE)

# A Peppol electronic address: an EAS code (four digits) and the identifier, e.g. 0007:5567164818 (Sweden).
ENDPOINT = re.compile(r"^(?P<scheme>\d{4}):(?P<identifier>[A-Za-z0-9.\-_]{1,50})$")
COUNTRY = re.compile(r"^[A-Z]{2}$")

ET.register_namespace("cac", NS_CAC)
ET.register_namespace("cbc", NS_CBC)


@dataclass(frozen=True)
class VatCategory:
    """A line's VAT category (UNCL 5305) with its rate and, but for S, the exemption reason (VATEX code, text)."""

    code: str
    rate: Decimal
    exemption_code: str = ""
    exemption_text: str = ""

    @property
    def part(self) -> str:
        return OUTSIDE_SCOPE if self.code == "O" else TAXABLE


OUTSIDE_SCOPE_NON_ECONOMIC = VatCategory(
    "O", ZERO, "VATEX-EU-O", "Utenfor merverdiavgiftsloven: ikke-økonomisk forskningsaktivitet uten omsetning"
)
OUTSIDE_SCOPE_NOT_REGISTERED = VatCategory(
    "O", ZERO, "VATEX-EU-O", "Selger er ikke registrert i Merverdiavgiftsregisteret"
)


def vat_category(line: InvoiceLine, *, vat_registered: bool) -> VatCategory:
    """The VAT category of one invoice line: the one its booking was made with (pricing.terms: S, Z, E or O with
    its reason), or for bookings made before that was kept, S when VAT was charged and O otherwise. A seller
    outside the VAT register puts every line outside the scope."""
    if not vat_registered:
        return OUTSIDE_SCOPE_NOT_REGISTERED
    code = line.vat_category
    if code == "S" or (not code and line.vat_rate > 0):
        return VatCategory("S", line.vat_rate)
    if code == "Z":
        return VatCategory("Z", ZERO)
    if code in ("E", "O"):
        reason_code = line.vat_reason_code or ("VATEX-EU-O" if code == "O" else "")
        return VatCategory(code, ZERO, reason_code, line.vat_reason or OUTSIDE_SCOPE_NON_ECONOMIC.exemption_text)
    return OUTSIDE_SCOPE_NON_ECONOMIC


@dataclass(frozen=True)
class Buyer:
    """Who the document is to: a Norwegian organisation by its number, or a foreign one by its country, its
    Peppol electronic address and (for VAT) its VAT number."""

    name: str
    org_number: str = ""
    country: str = "NO"
    endpoint_scheme: str = ORG_NUMBER_SCHEME
    endpoint_id: str = ""
    vat_number: str = ""

    @classmethod
    def of(cls, payer: PayerInvoiceBasis, *, country: str = "NO", endpoint: str = "", vat_number: str = "") -> "Buyer":
        """The buyer of a payer in the invoice basis; `endpoint` ("0007:5567164818") and `vat_number` for a
        foreign one. DomainError naming the field when it cannot be addressed."""
        country = (country or "NO").strip().upper()
        if not COUNTRY.match(country):
            raise DomainError(_("Give the country as two letters (ISO 3166), e.g. SE."), field="buyer_country")
        vat_number = line_clean(vat_number).replace(" ", "").upper()
        if vat_number and not vat_number.startswith(country if country != "GR" else "EL"):
            raise DomainError(
                _("A VAT number starts with the country code of the buyer (%(country)s).") % {"country": country},
                field="buyer_vat_number",
            )
        if endpoint:
            match = ENDPOINT.match(endpoint.strip())
            if match is None:
                raise DomainError(
                    _("Give the Peppol address as the scheme and the identifier, e.g. 0007:5567164818."),
                    field="buyer_endpoint",
                )
            return cls(payer.name, payer.org_number, country, match["scheme"], match["identifier"], vat_number)
        if country != "NO" or not payer.org_number:
            raise DomainError(
                _("A buyer without a Norwegian organisation number needs its Peppol address (scheme:identifier)."),
                field="buyer_endpoint",
            )
        return cls(payer.name, payer.org_number, "NO", ORG_NUMBER_SCHEME, payer.org_number, vat_number)


def _cac(parent, tag):
    return ET.SubElement(parent, f"{{{NS_CAC}}}{tag}")


def _cbc(parent, tag, text, **attributes):
    element = ET.SubElement(parent, f"{{{NS_CBC}}}{tag}", attributes)
    element.text = text_clean(text)
    return element


def _amount(parent, tag, value: Decimal, currency: str):
    return _cbc(parent, tag, format(money(value), "f"), currencyID=currency)


def _percent(rate: Decimal) -> str:
    return format((rate * 100).quantize(Decimal("0.01")).normalize(), "f")


def _name(value: str) -> str:
    return line_clean(value)


def _seller_party(parent, *, seller, vat_number: bool):
    party = _cac(parent, "Party")
    _cbc(party, "EndpointID", seller.org_number, schemeID=ORG_NUMBER_SCHEME)
    _cbc(_cac(party, "PartyName"), "Name", _name(seller.name))
    address = _cac(party, "PostalAddress")
    if line_clean(seller.city):
        _cbc(address, "CityName", _name(seller.city))
    _cbc(_cac(address, "Country"), "IdentificationCode", "NO")
    if vat_number:
        tax_scheme = _cac(party, "PartyTaxScheme")
        _cbc(tax_scheme, "CompanyID", f"NO{seller.org_number}MVA")
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    if seller.org_number in foretaksregisteret_org_numbers():
        # NO-R-002: companies registered in Foretaksregisteret state it on their sales documents.
        register = _cac(party, "PartyTaxScheme")
        _cbc(register, "CompanyID", "Foretaksregisteret")
        _cbc(_cac(register, "TaxScheme"), "ID", "TAX")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", _name(seller.name))
    _cbc(legal, "CompanyID", seller.org_number, schemeID=ORG_NUMBER_SCHEME)


def _buyer_party(parent, *, buyer: Buyer, vat_number: bool):
    party = _cac(parent, "Party")
    _cbc(party, "EndpointID", buyer.endpoint_id, schemeID=buyer.endpoint_scheme)
    _cbc(_cac(party, "PartyName"), "Name", _name(buyer.name))
    address = _cac(party, "PostalAddress")
    _cbc(_cac(address, "Country"), "IdentificationCode", buyer.country)
    if vat_number and buyer.vat_number:
        tax_scheme = _cac(party, "PartyTaxScheme")
        _cbc(tax_scheme, "CompanyID", buyer.vat_number)
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", _name(buyer.name))
    if buyer.endpoint_scheme.startswith("0"):  # an ISO 6523 ICD scheme: the address is also the legal identifier
        _cbc(legal, "CompanyID", buyer.endpoint_id, schemeID=buyer.endpoint_scheme)


def foretaksregisteret_org_numbers() -> set[str]:
    """Sellers registered in Foretaksregisteret (setting ACCOUNTING_FORETAKSREGISTERET_ORG_NUMBERS)."""
    value = settings.ACCOUNTING_FORETAKSREGISTERET_ORG_NUMBERS
    numbers = value.split(",") if isinstance(value, str) else value
    return {number.replace(" ", "").strip() for number in numbers if number.strip()}


def lines_of_part(payer: PayerInvoiceBasis, vat: str) -> list[InvoiceLine]:
    """The payer's lines that go on the document for `vat` (TAXABLE or OUTSIDE_SCOPE); an internal transfer is
    never invoiced."""
    registered = settings.ACCOUNTING_SELLER_VAT_REGISTERED
    return [
        line
        for line in payer.lines
        if not line.internal_transfer and vat_category(line, vat_registered=registered).part == vat
    ]


def vat_parts(payer: PayerInvoiceBasis) -> list[str]:
    """Which documents the payer's lines need: TAXABLE, OUTSIDE_SCOPE or both (EN 16931 keeps them apart)."""
    return [part for part in VAT_PARTS if lines_of_part(payer, part)]


def document_xml(
    *,
    document: str,
    seller,
    buyer: Buyer,
    lines: list[InvoiceLine],
    first_day: datetime.date,
    last_day: datetime.date,
    issue_date: datetime.date,
    number: str,
    buyer_reference: str = "",
    billing_reference: str = "",
) -> bytes:
    """A Peppol BIS Billing 3.0 invoice or credit note (`document`) from `seller` (an Institution) to `buyer`
    with `lines` (all of one VAT part, see vat_parts), as UTF-8 XML."""
    if not lines:
        raise DomainError(_("Nothing to invoice this organisation in the period."), field="org_number")
    currencies = {line.currency for line in lines}
    if len(currencies) != 1:
        raise DomainError(_("The bookings are in more than one currency."), field="org_number")
    currency = currencies.pop()
    vat_registered = settings.ACCOUNTING_SELLER_VAT_REGISTERED
    if not vat_registered and any(line.vat_amount for line in lines):
        raise DomainError(_("A seller outside the VAT register cannot invoice VAT."), field="institution")
    categories = [vat_category(line, vat_registered=vat_registered) for line in lines]
    if len({category.part for category in categories}) != 1:
        raise DomainError(
            _("Lines outside the scope of VAT go on a document of their own."), field="vat", code="mixed_vat"
        )
    taxable = categories[0].part == TAXABLE
    credit = document == CREDIT_NOTE

    # The document element is in the document's own namespace, as the default one (its children are cac:/cbc:).
    root = ET.Element("CreditNote" if credit else "Invoice", {"xmlns": NS_CREDIT_NOTE if credit else NS_INVOICE})
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", line_clean(number))
    _cbc(root, "IssueDate", issue_date.isoformat())
    if credit:
        _cbc(root, "CreditNoteTypeCode", CREDIT_NOTE_TYPE)
    else:
        due = issue_date + datetime.timedelta(days=settings.ACCOUNTING_PAYMENT_TERMS_DAYS)
        _cbc(root, "DueDate", due.isoformat())
        _cbc(root, "InvoiceTypeCode", INVOICE_TYPE_COMMERCIAL)
    _cbc(root, "DocumentCurrencyCode", currency)
    _cbc(root, "BuyerReference", line_clean(buyer_reference) or line_clean(lines[0].booked_by) or "-")
    period = _cac(root, "InvoicePeriod")
    _cbc(period, "StartDate", first_day.isoformat())
    _cbc(period, "EndDate", last_day.isoformat())
    if billing_reference:
        _cbc(_cac(_cac(root, "BillingReference"), "InvoiceDocumentReference"), "ID", line_clean(billing_reference))
    _seller_party(_cac(root, "AccountingSupplierParty"), seller=seller, vat_number=vat_registered and taxable)
    _buyer_party(_cac(root, "AccountingCustomerParty"), buyer=buyer, vat_number=taxable)

    groups: dict[VatCategory, dict] = {}
    for line, category in zip(lines, categories, strict=True):
        group = groups.setdefault(category, {"taxable": ZERO, "vat": ZERO})
        group["taxable"] += line.net_amount
        group["vat"] += line.vat_amount
    tax_total = _cac(root, "TaxTotal")
    total_vat_element = _amount(tax_total, "TaxAmount", ZERO, currency)
    total_vat = ZERO
    for category, group in sorted(groups.items(), key=lambda item: (item[0].code, item[0].rate)):
        vat = group["vat"]
        if abs(vat - group["taxable"] * category.rate) >= 1:  # BR-CO-17 tolerance
            vat = money(group["taxable"] * category.rate)
        total_vat += vat
        subtotal = _cac(tax_total, "TaxSubtotal")
        _amount(subtotal, "TaxableAmount", group["taxable"], currency)
        _amount(subtotal, "TaxAmount", vat, currency)
        tax_category = _cac(subtotal, "TaxCategory")
        _cbc(tax_category, "ID", category.code)
        if category.code != "O":
            _cbc(tax_category, "Percent", _percent(category.rate))
        if category.exemption_code:
            _cbc(tax_category, "TaxExemptionReasonCode", category.exemption_code)
        if category.exemption_text:
            _cbc(tax_category, "TaxExemptionReason", category.exemption_text)
        _cbc(_cac(tax_category, "TaxScheme"), "ID", "VAT")
    total_vat_element.text = format(money(total_vat), "f")

    line_total = sum((line.net_amount for line in lines), ZERO)
    monetary = _cac(root, "LegalMonetaryTotal")
    _amount(monetary, "LineExtensionAmount", line_total, currency)
    _amount(monetary, "TaxExclusiveAmount", line_total, currency)
    _amount(monetary, "TaxInclusiveAmount", line_total + total_vat, currency)
    _amount(monetary, "PayableAmount", line_total + total_vat, currency)

    for index, (line, category) in enumerate(zip(lines, categories, strict=True), start=1):
        element = _cac(root, "CreditNoteLine" if credit else "InvoiceLine")
        _cbc(element, "ID", str(index))
        _cbc(element, "Note", line_clean(f"{line.date.isoformat()} {line.facility_name}"))
        _cbc(
            element,
            "CreditedQuantity" if credit else "InvoicedQuantity",
            format(line.quantity, "f"),
            unitCode=UNIT_CODES.get(line.unit, "C62"),
        )
        _amount(element, "LineExtensionAmount", line.net_amount, currency)
        line_period = _cac(element, "InvoicePeriod")
        _cbc(line_period, "StartDate", line.date.isoformat())
        _cbc(line_period, "EndDate", line.date.isoformat())
        item = _cac(element, "Item")
        _cbc(item, "Description", line_clean(f"{line.description}, {line.date.isoformat()}"))
        _cbc(item, "Name", line_clean(line.resource_name)[:100] or "-")
        _cbc(_cac(item, "SellersItemIdentification"), "ID", line.item_id)
        classified = _cac(item, "ClassifiedTaxCategory")
        _cbc(classified, "ID", category.code)
        if category.code != "O":
            _cbc(classified, "Percent", _percent(category.rate))
        _cbc(_cac(classified, "TaxScheme"), "ID", "VAT")
        _amount(_cac(element, "Price"), "PriceAmount", line.unit_price, currency)

    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def invoice_xml(
    *,
    seller,
    payer: PayerInvoiceBasis,
    first_day: datetime.date,
    last_day: datetime.date,
    issue_date: datetime.date,
    invoice_number: str,
    buyer_reference: str = "",
    vat: str = "",
    buyer: Buyer | None = None,
    document: str = INVOICE,
    billing_reference: str = "",
) -> bytes:
    """A Peppol BIS Billing 3.0 invoice (or credit note) from `seller` (an Institution) to `payer` for the
    period, as UTF-8 XML: the payer's lines of the VAT part `vat` (TAXABLE or OUTSIDE_SCOPE; may be left out when
    the payer has lines of one part only). DomainError naming the field when it cannot be made."""
    if not seller.org_number:
        raise DomainError(_("The institution has no organisation number to invoice from."), field="institution")
    if payer.org_number and payer.org_number == seller.org_number:
        raise DomainError(_("The institution's own use is not invoiced with EHF."), field="org_number")
    if not payer.lines:
        raise DomainError(_("Nothing to invoice this organisation in the period."), field="org_number")
    parts = vat_parts(payer)
    if not parts:
        raise DomainError(
            _("The owning institution's own use is an internal transfer: it is charged internally, not invoiced."),
            field="org_number",
            code="internal_transfer",
        )
    if not vat:
        if len(parts) > 1:
            raise DomainError(
                _(
                    "This payer has lines with VAT and lines outside the scope of VAT, which go on separate "
                    "documents: ask for vat=taxable or vat=outside_scope."
                ),
                field="vat",
                code="mixed_vat",
            )
        vat = parts[0]
    if vat not in VAT_PARTS:
        raise DomainError(_("Choose taxable or outside_scope."), field="vat", code="invalid_choice")
    lines = lines_of_part(payer, vat)
    if not lines:
        raise DomainError(_("This payer has no lines of that kind in the period."), field="vat", code="empty")
    return document_xml(
        document=document,
        seller=seller,
        buyer=buyer or Buyer.of(payer),
        lines=lines,
        first_day=first_day,
        last_day=last_day,
        issue_date=issue_date,
        number=invoice_number,
        buyer_reference=buyer_reference,
        billing_reference=billing_reference,
    )


def invoice_for_payer(
    *,
    scope: AccountsScope,
    org_number: str = "",
    first_day: datetime.date,
    last_day: datetime.date,
    issue_date: datetime.date,
    invoice_number: str = "",
    buyer_reference: str = "",
    payer_name: str = "",
    vat: str = "",
    document: str = INVOICE,
    bookings: tuple[int, ...] = (),
    billing_reference: str = "",
    buyer_country: str = "NO",
    buyer_endpoint: str = "",
    buyer_vat_number: str = "",
) -> tuple[bytes, str]:
    """(XML, file name) of an EHF document from the scope's institution to one payer, DomainError naming the
    field if there is none.

    The payer is the one with `org_number`, or (without a Norwegian number) the one named `payer_name`; a
    foreign payer also needs `buyer_country`, `buyer_endpoint` and, on a taxable document, `buyer_vat_number`.
    An invoice covers what the scope's facilities did from `first_day` to `last_day`; a credit note credits the
    charges of `bookings` (ids, whenever they were) and refers to the invoice `billing_reference`. The number
    defaults to LT-<institution>-<payer>-<from>-<to> (-K for a credit note, -O for the part outside the scope
    of VAT): a draft, the institution's invoicing system assigns the final one.
    """
    if document not in DOCUMENTS:
        raise DomainError(_("Choose invoice or credit_note."), field="document", code="invalid_choice")
    if document == CREDIT_NOTE:
        if not bookings:
            raise DomainError(_("Name the bookings the credit note credits."), field="bookings", code="required")
        if not billing_reference.strip():
            raise DomainError(
                _("Give the number of the invoice the credit note credits."), field="billing_reference",
                code="required",
            )  # fmt: skip
        basis = invoice_basis_of_bookings(facility_ids=scope.facility_ids, booking_ids=bookings)
        found = {line.booking_id for payer in basis.payers for line in payer.lines}
        missing = sorted(set(bookings) - found)
        if missing:
            raise DomainError(
                _("Booking %(ids)s has no charge at these facilities to credit.")
                % {"ids": ", ".join(str(pk) for pk in missing)},
                field="bookings",
                code="not_chargeable",
            )
        if len(basis.payers) != 1:
            raise DomainError(_("A credit note is to one payer: the bookings have several."), field="bookings")
    else:
        basis = invoice_basis(facility_ids=scope.facility_ids, first_day=first_day, last_day=last_day)
    payer = basis.payer(org_number) if org_number else basis.payer_named(payer_name) if payer_name else None
    if payer is None:
        field = "org_number" if org_number or not payer_name else "payer_name"
        raise DomainError(_("Nothing to invoice this organisation in the period."), field=field)
    buyer = Buyer.of(payer, country=buyer_country, endpoint=buyer_endpoint, vat_number=buyer_vat_number)
    if not vat:
        parts = vat_parts(payer)
        vat = parts[0] if len(parts) == 1 else ""
    who = payer.org_number or re.sub(r"[^A-Za-z0-9]+", "", buyer.endpoint_id)
    number = invoice_number or (
        f"LT-{scope.institution.id}-{who}-{basis.first_day:%Y%m%d}-{basis.last_day:%Y%m%d}"
        + ("-K" if document == CREDIT_NOTE else "")
        + ("-O" if vat == OUTSIDE_SCOPE else "")
    )
    xml = invoice_xml(
        seller=scope.institution,
        payer=payer,
        first_day=basis.first_day,
        last_day=basis.last_day,
        issue_date=issue_date,
        invoice_number=number,
        buyer_reference=buyer_reference,
        vat=vat,
        buyer=buyer,
        document=document,
        billing_reference=billing_reference,
    )
    return xml, f"ehf-{re.sub(r'[^A-Za-z0-9._-]+', '-', number)}.xml"
