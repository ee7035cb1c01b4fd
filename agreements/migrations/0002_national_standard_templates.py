"""The national standard agreements (report 7.3.2), version 1, in Bokmål and English. Institutions publish their
own versions in the admin; until then these are used."""

from django.db import migrations

STANDARD = {
    "confidentiality": (
        "Taushetserklæring (NDA)",
        "Confidentiality agreement (NDA)",
        "1. Partene holder konfidensiell informasjon de mottar fra hverandre hemmelig, og bruker den bare til "
        "formålet i denne avtalen.\n2. Plikten gjelder ikke informasjon som er offentlig kjent, allerede var kjent "
        "for mottakeren, eller som må gis ut etter lov.\n3. Plikten varer i fem år etter at avtalen er akseptert.\n"
        "4. Norsk rett gjelder; tvister løses ved den ordinære domstol der tilbyderen har sitt sete.",
        "1. The parties keep confidential information received from each other secret and use it only for the "
        "purpose of this agreement.\n2. The duty does not cover information that is public, was already known to "
        "the recipient, or must be disclosed by law.\n3. The duty lasts five years after the agreement is "
        "accepted.\n4. Norwegian law applies; disputes go to the ordinary court where the provider has its seat.",
    ),
    "rental": (
        "Leievilkår for infrastruktur",
        "Rental terms for the infrastructure",
        "1. Kunden leier tilgang til infrastrukturen i avtalt periode og bruker den selv, etter opplæring og "
        "tilbyderens regler for sikkerhet.\n2. Prisen er markedspris eller full kostnad med margin (EØS-avtalens "
        "statsstøtteregler).\n3. Kunden eier sine egne data og resultater.\n4. Kunden dekker skade som skyldes "
        "uaktsom bruk.\n5. Avbestilling senere enn fem virkedager før perioden faktureres med 50 %.",
        "1. The customer rents access to the infrastructure for the agreed period and uses it themselves, after "
        "training and under the provider's safety rules.\n2. The price is a market price or full cost plus a margin "
        "(EEA state-aid rules).\n3. The customer owns their own data and results.\n4. The customer covers damage "
        "caused by negligent use.\n5. Cancellation later than five working days before the period is invoiced at "
        "50 %.",
    ),
    "service": (
        "Tjenesteoppdrag",
        "Service order",
        "1. Tilbyderens ansatte utfører tjenesten som beskrevet, etter faglig god praksis.\n2. Prisen er "
        "markedspris eller full kostnad med margin.\n3. Resultatene og rådataene leveres kunden og tilhører "
        "kunden.\n4. Tilbyderens ansvar er begrenset til prisen for oppdraget.\n5. Prøvemateriale kasseres tre "
        "måneder etter levering om ikke annet er avtalt.",
        "1. The provider's staff perform the service as described, following good professional practice.\n2. The "
        "price is a market price or full cost plus a margin.\n3. Results and raw data are delivered to and owned "
        "by the customer.\n4. The provider's liability is limited to the price of the order.\n5. Sample material "
        "is discarded three months after delivery unless agreed otherwise.",
    ),
    "commissioned": (
        "Oppdragsforskningsavtale",
        "Commissioned research contract",
        "1. Tilbyderen utfører forskningen kunden bestiller, etter prosjektbeskrivelsen.\n2. Kunden betaler full "
        "kostnad med margin, og får rettighetene til resultatene.\n3. Tilbyderen kan publisere metodene etter "
        "avtale, tidligst seks måneder etter leveransen.\n4. Norsk rett gjelder.",
        "1. The provider performs the research the customer orders, following the project description.\n2. The "
        "customer pays full cost plus a margin and obtains the rights to the results.\n3. The provider may publish "
        "the methods by agreement, no earlier than six months after delivery.\n4. Norwegian law applies.",
    ),
    "collaboration": (
        "Samarbeidsavtale (forskningssamarbeid)",
        "Collaboration agreement (collaborative research)",
        "1. Partene forsker sammen på et felles mål, deler risiko og bidrar hver med sin del.\n2. Hver part eier "
        "resultatene den skaper; felles resultater eies i fellesskap.\n3. Tilbyderen kan publisere resultatene "
        "etter 60 dagers varsel.\n4. Bruken er ikke-økonomisk virksomhet når vilkårene i EØS' rammebestemmelser "
        "for FoU&I (2014/C 198/01) punkt 2.2.2 er oppfylt.",
        "1. The parties research a shared goal together, share the risk and each contribute their part.\n2. Each "
        "party owns the results it creates; joint results are owned jointly.\n3. The provider may publish the "
        "results after 60 days' notice.\n4. The use is a non-economic activity when the conditions of the EEA R&D&I "
        "framework (2014/C 198/01), point 2.2.2, are met.",
    ),
}


def create(apps, schema_editor):
    template = apps.get_model("agreements", "AgreementTemplate")
    for kind, (title_nb, title_en, terms_nb, terms_en) in STANDARD.items():
        template.objects.get_or_create(
            institution=None,
            kind=kind,
            version=1,
            defaults={"title_nb": title_nb, "title_en": title_en, "terms_nb": terms_nb, "terms_en": terms_en},
        )


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
