"""EHF / PEPPOL BIS Billing 3.0 invoice XML (UBL 2.1) from an invoice basis for one paying organisation.

The document is a draft for the institution's invoicing system: it carries every field PEPPOL BIS 3 requires
and sums as EN 16931 demands, but the final invoice number and bank details come from that system.

VAT: each line's category follows its VAT rate: S (standard, 25 %) when VAT is charged, E (exempt) at 0 % with
the reason that non-economic use of research infrastructure is outside the VAT scope of a sale. A seller not in
the VAT register (ACCOUNTING_SELLER_VAT_REGISTERED off) cannot charge VAT and uses category O. The VAT of each
category is the sum of the bookings' VAT, so the invoice equals the invoice basis to the øre; it stays within
the ±1 tolerance of rule BR-CO-17 as long as an invoice has fewer than 200 lines, and is recomputed from the
taxable amount if it ever would not.
"""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from accounting.selectors import ZERO, AccountsScope, PayerInvoiceBasis, invoice_basis, money
from core.errors import DomainError

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
ORG_NUMBER_SCHEME = "0192"  # Norwegian organisation number (Enhetsregisteret) in ISO 6523
INVOICE_TYPE_COMMERCIAL = "380"
UNIT_CODES = {"hour": "HUR", "day": "DAY"}  # UN/ECE Rec. 20; other units are counted as "one" (C62)

ET.register_namespace("", NS_INVOICE)
ET.register_namespace("cac", NS_CAC)
ET.register_namespace("cbc", NS_CBC)


def _cac(parent, tag):
    return ET.SubElement(parent, f"{{{NS_CAC}}}{tag}")


def _cbc(parent, tag, text, **attributes):
    element = ET.SubElement(parent, f"{{{NS_CBC}}}{tag}", attributes)
    element.text = str(text)
    return element


def _amount(parent, tag, value: Decimal, currency: str):
    return _cbc(parent, tag, format(money(value), "f"), currencyID=currency)


def _percent(rate: Decimal) -> str:
    return format((rate * 100).quantize(Decimal("0.01")).normalize(), "f")


def _tax_category(rate: Decimal, vat_registered: bool) -> str:
    if not vat_registered:
        return "O"
    return "S" if rate > 0 else "E"


def _party(parent, *, name: str, org_number: str, city: str, vat_registered: bool):
    party = _cac(parent, "Party")
    _cbc(party, "EndpointID", org_number, schemeID=ORG_NUMBER_SCHEME)
    _cbc(_cac(party, "PartyName"), "Name", name)
    address = _cac(party, "PostalAddress")
    if city:
        _cbc(address, "CityName", city)
    _cbc(_cac(address, "Country"), "IdentificationCode", "NO")
    if vat_registered:
        tax_scheme = _cac(party, "PartyTaxScheme")
        _cbc(tax_scheme, "CompanyID", f"NO{org_number}MVA")
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", name)
    _cbc(legal, "CompanyID", org_number, schemeID=ORG_NUMBER_SCHEME)
    return party


def invoice_xml(
    *,
    seller,
    payer: PayerInvoiceBasis,
    first_day: datetime.date,
    last_day: datetime.date,
    issue_date: datetime.date,
    invoice_number: str,
    buyer_reference: str = "",
) -> bytes:
    """A PEPPOL BIS Billing 3.0 invoice from `seller` (an Institution) to `payer` for the period, as UTF-8 XML."""
    if not seller.org_number:
        raise DomainError(_("The institution has no organisation number to invoice from."), field="institution")
    if not payer.org_number:
        raise DomainError(_("The paying organisation has no organisation number."), field="org_number")
    if payer.org_number == seller.org_number:
        raise DomainError(_("The institution's own use is not invoiced with EHF."), field="org_number")
    if not payer.lines:
        raise DomainError(_("Nothing to invoice this organisation in the period."), field="org_number")
    currencies = {line.currency for line in payer.lines}
    if len(currencies) != 1:
        raise DomainError(_("The bookings are in more than one currency."), field="org_number")
    currency = currencies.pop()
    vat_registered = settings.ACCOUNTING_SELLER_VAT_REGISTERED
    if not vat_registered and any(line.vat_amount for line in payer.lines):
        raise DomainError(_("A seller outside the VAT register cannot invoice VAT."), field="institution")

    root = ET.Element(f"{{{NS_INVOICE}}}Invoice")
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", invoice_number)
    _cbc(root, "IssueDate", issue_date.isoformat())
    _cbc(root, "DueDate", (issue_date + datetime.timedelta(days=settings.ACCOUNTING_PAYMENT_TERMS_DAYS)).isoformat())
    _cbc(root, "InvoiceTypeCode", INVOICE_TYPE_COMMERCIAL)
    _cbc(root, "DocumentCurrencyCode", currency)
    _cbc(root, "BuyerReference", buyer_reference or payer.lines[0].booked_by)
    period = _cac(root, "InvoicePeriod")
    _cbc(period, "StartDate", first_day.isoformat())
    _cbc(period, "EndDate", last_day.isoformat())
    _party(
        _cac(root, "AccountingSupplierParty"),
        name=seller.name,
        org_number=seller.org_number,
        city=seller.city,
        vat_registered=vat_registered,
    )
    _party(
        _cac(root, "AccountingCustomerParty"),
        name=payer.name,
        org_number=payer.org_number,
        city="",
        vat_registered=False,
    )

    categories: dict[tuple[str, Decimal], dict] = {}
    for line in payer.lines:
        key = (_tax_category(line.vat_rate, vat_registered), line.vat_rate)
        group = categories.setdefault(key, {"taxable": ZERO, "vat": ZERO})
        group["taxable"] += line.net_amount
        group["vat"] += line.vat_amount
    tax_total = _cac(root, "TaxTotal")
    total_vat_element = _amount(tax_total, "TaxAmount", ZERO, currency)
    total_vat = ZERO
    for (category, rate), group in sorted(categories.items()):
        vat = group["vat"]
        if abs(vat - group["taxable"] * rate) >= 1:  # BR-CO-17 tolerance
            vat = money(group["taxable"] * rate)
        total_vat += vat
        subtotal = _cac(tax_total, "TaxSubtotal")
        _amount(subtotal, "TaxableAmount", group["taxable"], currency)
        _amount(subtotal, "TaxAmount", vat, currency)
        tax_category = _cac(subtotal, "TaxCategory")
        _cbc(tax_category, "ID", category)
        if category != "O":
            _cbc(tax_category, "Percent", _percent(rate))
        if category == "E":
            _cbc(tax_category, "TaxExemptionReason", "Ikke-økonomisk forskningsaktivitet, unntatt merverdiavgift")
        elif category == "O":
            _cbc(tax_category, "TaxExemptionReason", "Selger er ikke registrert i Merverdiavgiftsregisteret")
        _cbc(_cac(tax_category, "TaxScheme"), "ID", "VAT")
    total_vat_element.text = format(money(total_vat), "f")

    line_total = sum((line.net_amount for line in payer.lines), ZERO)
    monetary = _cac(root, "LegalMonetaryTotal")
    _amount(monetary, "LineExtensionAmount", line_total, currency)
    _amount(monetary, "TaxExclusiveAmount", line_total, currency)
    _amount(monetary, "TaxInclusiveAmount", line_total + total_vat, currency)
    _amount(monetary, "PayableAmount", line_total + total_vat, currency)

    for number, line in enumerate(payer.lines, start=1):
        element = _cac(root, "InvoiceLine")
        _cbc(element, "ID", number)
        _cbc(element, "Note", f"{line.date.isoformat()} {line.facility_name}")
        _cbc(element, "InvoicedQuantity", format(line.quantity, "f"), unitCode=UNIT_CODES.get(line.unit, "C62"))
        _amount(element, "LineExtensionAmount", line.net_amount, currency)
        line_period = _cac(element, "InvoicePeriod")
        _cbc(line_period, "StartDate", line.date.isoformat())
        _cbc(line_period, "EndDate", line.date.isoformat())
        item = _cac(element, "Item")
        _cbc(item, "Description", f"{line.description}, {line.date.isoformat()}")
        _cbc(item, "Name", line.resource_name[:100])
        _cbc(_cac(item, "SellersItemIdentification"), "ID", f"booking-{line.booking_id}")
        classified = _cac(item, "ClassifiedTaxCategory")
        category = _tax_category(line.vat_rate, vat_registered)
        _cbc(classified, "ID", category)
        if category != "O":
            _cbc(classified, "Percent", _percent(line.vat_rate))
        _cbc(_cac(classified, "TaxScheme"), "ID", "VAT")
        _amount(_cac(element, "Price"), "PriceAmount", line.unit_price, currency)

    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def invoice_for_payer(
    *,
    scope: AccountsScope,
    org_number: str,
    first_day: datetime.date,
    last_day: datetime.date,
    issue_date: datetime.date,
    invoice_number: str = "",
    buyer_reference: str = "",
) -> tuple[bytes, str]:
    """(XML, file name) of the EHF invoice from the scope's institution to the payer with `org_number` for what
    the scope's facilities did from `first_day` to `last_day`; DomainError naming the field if there is none.

    The invoice number defaults to LT-<institution>-<org number>-<from>-<to> (a draft: the institution's
    invoicing system assigns the final one).
    """
    basis = invoice_basis(facility_ids=scope.facility_ids, first_day=first_day, last_day=last_day)
    payer = basis.payer(org_number)
    if payer is None:
        raise DomainError(_("Nothing to invoice this organisation in the period."), field="org_number")
    number = invoice_number or f"LT-{scope.institution.id}-{payer.org_number}-{first_day:%Y%m%d}-{last_day:%Y%m%d}"
    xml = invoice_xml(
        seller=scope.institution,
        payer=payer,
        first_day=first_day,
        last_day=last_day,
        issue_date=issue_date,
        invoice_number=number,
        buyer_reference=buyer_reference,
    )
    return xml, f"ehf-{number}.xml"
