"""A small client of Brønnøysundregistrene's Enhetsregisteret (the open API at data.brreg.no, no key needed).

`unit_lookup(org_number)` asks `BRREG_BASE_URL/enheter/<number>` and answers what the portal needs to verify an
organisation: whether the unit exists, whether it is deleted or bankrupt, and its name, address, VAT registration
(registrertIMvaregisteret), first NACE code and web address. A register that cannot be reached (timeout, connection
error, 5xx, a body that is not the register's JSON) raises `RegisterUnavailable`; the caller then keeps the
organisation unverified. Plain `requests`: one GET with a timeout is all this needs.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

import requests
from django.conf import settings

ACCEPT = "application/vnd.brreg.enhetsregisteret.enhet.v2+json, application/json"


class RegisterUnavailable(Exception):
    """The register could not be asked (or gave no usable answer)."""


@dataclass(frozen=True)
class RegisterUnit:
    org_number: str
    found: bool  # False: no unit with this number (404)
    deleted: bool = False  # deleted from Enhetsregisteret (410, or a deletion date)
    bankrupt: bool = False  # konkurs
    winding_up: bool = False  # under (forced) liquidation
    name: str = ""
    address: str = ""  # one line: street, postcode and town
    vat_registered: bool = False
    nace_code: str = ""
    nace_description: str = ""
    web_domain: str = ""  # the host of its registered web address, without "www."

    @property
    def usable(self) -> bool:
        """A unit that may be a payer: it exists and is neither deleted nor bankrupt."""
        return self.found and not self.deleted and not self.bankrupt


def web_domain_of(address: str) -> str:
    """'www.demohelse.no' or 'https://www.demohelse.no/om' -> 'demohelse.no'."""
    address = (address or "").strip().lower()
    if not address:
        return ""
    host = urlparse(address if "//" in address else f"//{address}").hostname or ""
    return host.removeprefix("www.")


def address_line(data: dict) -> str:
    address = data.get("forretningsadresse") or data.get("postadresse") or {}
    street = ", ".join(part for part in address.get("adresse") or [] if part)
    town = " ".join(part for part in (address.get("postnummer"), address.get("poststed")) if part)
    country = address.get("land") if address.get("landkode") not in (None, "", "NO") else ""
    return ", ".join(part for part in (street, town, country) if part)


def unit_from_json(org_number: str, data: dict) -> RegisterUnit:
    nace = data.get("naeringskode1") or {}
    return RegisterUnit(
        org_number=org_number,
        found=True,
        deleted=bool(data.get("slettedato")),
        bankrupt=bool(data.get("konkurs")),
        winding_up=bool(data.get("underAvvikling") or data.get("underTvangsavviklingEllerTvangsopplosning")),
        name=str(data.get("navn") or "")[:200],
        address=address_line(data)[:300],
        vat_registered=bool(data.get("registrertIMvaregisteret")),
        nace_code=str(nace.get("kode") or "")[:10],
        nace_description=str(nace.get("beskrivelse") or "")[:200],
        web_domain=web_domain_of(data.get("hjemmeside") or "")[:253],
    )


def unit_lookup(org_number: str) -> RegisterUnit:
    """The register's answer for a 9-digit number (already MOD11-checked)."""
    url = f"{settings.BRREG_BASE_URL.rstrip('/')}/enheter/{org_number}"
    try:
        response = requests.get(url, headers={"Accept": ACCEPT}, timeout=settings.BRREG_TIMEOUT)
    except requests.RequestException as error:
        raise RegisterUnavailable(str(error)) from error
    if response.status_code == 404:
        return RegisterUnit(org_number=org_number, found=False)
    if response.status_code == 410:  # deleted units answer "Gone"
        return RegisterUnit(org_number=org_number, found=True, deleted=True)
    if response.status_code != 200:
        raise RegisterUnavailable(f"HTTP {response.status_code}")
    try:
        data = response.json()
    except ValueError as error:
        raise RegisterUnavailable("not JSON") from error
    if not isinstance(data, dict) or data.get("organisasjonsnummer") != org_number:
        raise RegisterUnavailable("not the register's answer for this number")
    return unit_from_json(org_number, data)
