"""Benchmark of the register's search at national scale: the portal's search page and the API's facility search,
measured as server time in this process with Django's test Client, beside a plain indexed SQL query of the same
search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lt_search_bench .venv/bin/python -m tools.benchmark.search \
        --facilities 5000 --resources-per-facility 4 --repeats 40

It builds a register of its own (institutions, research fields, facilities, resources with booking policies,
opening hours and price lists, one contact person each; everything hangs off `search-bench-` slugs and is replaced
on the next run) from the demo register's real institution names, research fields and facility texts, mixed with
word lists of techniques and instruments in Bokmål and English. Use a database of its own: an empty one is
migrated first. See docs/benchmark.md.
"""

import argparse
import datetime
import json
import os
import random
import sys
import time
from pathlib import Path

PREFIX = "search-bench-"
# What the targets are stated for: the handful of searches below, each page and API request as a whole.
PAGE_TARGET_P95_MS = 50
API_TARGET_P95_MS = 30
# (what is typed, why it is in the handful)
SEARCHES = (
    ("mikroskop", "a Norwegian word, prefix of many word forms and compounds"),
    ("flowcytometri", "a rare Norwegian technique"),
    ("massespektrometri", "a Norwegian technique"),
    ("microscopy", "an English word"),
    ("spektrometri", "a substring inside compounds (massespektrometri), which the stemmer does not split"),
)

# (Bokmål, English, an instrument of the technique in Bokmål and English)
TECHNIQUES = (
    ("mikroskopi", "microscopy", "Mikroskop", "Microscope"),
    ("konfokalmikroskopi", "confocal microscopy", "Konfokalmikroskop", "Confocal microscope"),
    ("elektronmikroskopi", "electron microscopy", "Elektronmikroskop", "Electron microscope"),
    ("lysmikroskopi", "light microscopy", "Lysmikroskop", "Light microscope"),
    ("flowcytometri", "flow cytometry", "Flowcytometer", "Flow cytometer"),
    ("cellesortering", "cell sorting", "Cellesorterer", "Cell sorter"),
    ("massespektrometri", "mass spectrometry", "Massespektrometer", "Mass spectrometer"),
    ("proteomikk", "proteomics", "Orbitrap massespektrometer", "Orbitrap mass spectrometer"),
    ("metabolomikk", "metabolomics", "LC-MS-system", "LC-MS system"),
    ("genomikk", "genomics", "Sekvenseringsinstrument", "Sequencing instrument"),
    ("sekvensering", "sequencing", "NovaSeq-sekvenserer", "NovaSeq sequencer"),
    ("bioinformatikk", "bioinformatics", "Beregningsklynge", "Compute cluster"),
    ("NMR-spektroskopi", "NMR spectroscopy", "NMR-spektrometer 600 MHz", "600 MHz NMR spectrometer"),
    ("røntgenkrystallografi", "X-ray crystallography", "Røntgendiffraktometer", "X-ray diffractometer"),
    ("kryo-elektronmikroskopi", "cryo-electron microscopy", "Kryo-EM", "Cryo-EM"),
    ("cellekultur", "cell culture", "Sikkerhetsbenk klasse II", "Class II safety cabinet"),
    ("stamcelleteknikker", "stem cell techniques", "Inkubator for stamceller", "Stem cell incubator"),
    ("histologi", "histology", "Mikrotom", "Microtome"),
    ("immunhistokjemi", "immunohistochemistry", "Fargerobot", "Staining robot"),
    ("MR-avbildning", "MR imaging", "MR-skanner 3 T", "3 T MR scanner"),
    ("PET-CT", "PET-CT", "PET-CT for smådyr", "Small-animal PET-CT"),
    ("ultralyd", "ultrasound", "Ultralydapparat", "Ultrasound system"),
    ("kromatografi", "chromatography", "HPLC-system", "HPLC system"),
    ("spektroskopi", "spectroscopy", "Spektrofotometer", "Spectrophotometer"),
    ("nanofabrikasjon", "nanofabrication", "Elektronstrålelitografi", "Electron beam lithography"),
    ("renromsproduksjon", "cleanroom production", "Renrom ISO 5", "ISO 5 cleanroom"),
    ("materialtesting", "materials testing", "Strekkprøvemaskin", "Tensile testing machine"),
    ("korrosjonstesting", "corrosion testing", "Saltspraykammer", "Salt spray chamber"),
    ("3D-printing", "3D printing", "Metallskriver", "Metal 3D printer"),
    ("havbruksforsøk", "aquaculture trials", "Forsøkstanker", "Experimental tanks"),
    ("forsøksdyr", "laboratory animals", "Dyrestall", "Animal unit"),
    ("klinisk utprøving", "clinical trials", "Forskningspoliklinikk", "Research outpatient clinic"),
    ("simulering", "simulation", "Simuleringsrom", "Simulation room"),
    ("biobanking", "biobanking", "Frysere −80 °C", "−80 °C freezers"),
    ("legemiddelscreening", "drug screening", "Screeningrobot", "Screening robot"),
    ("elektrofysiologi", "electrophysiology", "Patch clamp-rigg", "Patch clamp rig"),
    ("bevegelsesanalyse", "motion analysis", "Bevegelseslaboratorium", "Motion capture lab"),
    ("medisinsk mikrobiologi", "medical microbiology", "MALDI-TOF", "MALDI-TOF"),
    ("patologi", "pathology", "Skanner for vevssnitt", "Slide scanner"),
    ("sensorteknologi", "sensor technology", "Testbenk for sensorer", "Sensor test bench"),
    # A national register is more than life science: engineering, energy, ocean, climate and earth sciences.
    ("vindtunneltesting", "wind tunnel testing", "Vindtunnel", "Wind tunnel"),
    ("batteritesting", "battery testing", "Battericykler", "Battery cycler"),
    ("solcelleforskning", "solar cell research", "Solsimulator", "Solar simulator"),
    ("hydrogenteknologi", "hydrogen technology", "Elektrolysør", "Electrolyser"),
    ("havbassengforsøk", "ocean basin tests", "Havbasseng", "Ocean basin"),
    ("skipsmodelltesting", "ship model testing", "Slepetank", "Towing tank"),
    ("geokjemi", "geochemistry", "ICP-MS", "ICP-MS"),
    ("isotopanalyse", "isotope analysis", "Isotopmassespektrometer", "Isotope ratio mass spectrometer"),
    ("seismikk", "seismics", "Seismisk måleutstyr", "Seismic instruments"),
    ("klimakammertesting", "climate chamber testing", "Klimakammer", "Climate chamber"),
    ("robotikk", "robotics", "Industrirobot", "Industrial robot"),
    ("droneflyging", "drone flight testing", "Droneflyplass", "Drone test site"),
    ("høyspenningstesting", "high voltage testing", "Høyspenningslaboratorium", "High voltage laboratory"),
    ("akustikk", "acoustics", "Ekkofritt rom", "Anechoic chamber"),
    ("sveising", "welding", "Sveiserobot", "Welding robot"),
    ("betongtesting", "concrete testing", "Trykkpresse", "Compression press"),
    ("jordanalyse", "soil analysis", "Jordprøvelaboratorium", "Soil sample laboratory"),
    ("røntgentomografi", "X-ray tomography", "Mikro-CT", "Micro-CT"),
    ("laserteknologi", "laser technology", "Femtosekundlaser", "Femtosecond laser"),
    ("fôrforsøk", "feed trials", "Fôrfabrikk", "Feed mill"),
    ("plantevekstforsøk", "plant growth trials", "Veksthus", "Greenhouse"),
    ("fiskehelse", "fish health", "Smittelaboratorium", "Infection laboratory"),
    ("matteknologi", "food technology", "Pilotanlegg for mat", "Food pilot plant"),
    ("prosessteknologi", "process technology", "Pilotreaktor", "Pilot reactor"),
    ("tekstiltesting", "textile testing", "Slitetester", "Abrasion tester"),
    ("brannteknikk", "fire safety engineering", "Brannlaboratorium", "Fire laboratory"),
    ("superdatamaskin", "supercomputing", "Regneklynge", "HPC cluster"),
    ("kvanteteknologi", "quantum technology", "Fortynningskryostat", "Dilution refrigerator"),
    ("polarforskning", "polar research", "Forskningsfartøy", "Research vessel"),
    ("atmosfæremålinger", "atmospheric measurements", "Lidar", "Lidar"),
    ("ernæringsforskning", "nutrition research", "Metabolsk kammer", "Metabolic chamber"),
    ("velferdsteknologi", "welfare technology", "Smarthusleilighet", "Smart home apartment"),
    ("idrettsfysiologi", "sports physiology", "Tredemølle med gassanalyse", "Treadmill with gas analysis"),
    ("psykologiske eksperimenter", "psychological experiments", "Øyesporer", "Eye tracker"),
    ("språkteknologi", "language technology", "Lydstudio", "Recording studio"),
)
FACILITY_NAMES_NB = (
    "Kjernefasilitet for {t}", "Laboratorium for {t}", "Senter for {t}", "Plattform for {t}", "{T}laboratoriet",
    "Forskningsinfrastruktur for {t}", "{T} og analyse",
)  # fmt: skip
SENTENCES_NB = (
    "Fasiliteten tilbyr {a}, {b} og {c} til forskere ved institusjonen og eksterne brukere.",
    "Vi har blant annet {instrument} og erfarne ingeniører som hjelper med planlegging, prøveopparbeiding og analyse.",
    "Bedrifter får tilgang gjennom leie av instrumenttid, tjenesteanalyser eller oppdrag.",
    "Brukere kan lære opp seg selv på instrumentene, eller få analysene utført av våre ansatte.",
    "Laboratoriet deltar i nasjonale nettverk og samarbeider med sykehus, universiteter og næringsliv.",
)
SENTENCES_EN = (
    "The facility offers {a}, {b} and {c} to researchers at the institution and to external users.",
    "Among other things we have a {instrument} and experienced engineers who help with planning, sample "
    "preparation and analysis.",
    "Companies get access by renting instrument time, by staff-run analyses or by commissioned work.",
    "Users can be trained to run the instruments themselves, or have the analyses done by our staff.",
    "The laboratory takes part in national networks and works with hospitals, universities and industry.",
)


def _setup_django():
    # The same settings as the web processes of the booking benchmark (DEBUG off), answering the test Client.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tools.benchmark.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 40)
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()
    from django.conf import settings

    # Pages are rendered from a checkout, without collectstatic (as the tests do); the manifest lookup it replaces
    # is a dictionary read.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def wipe() -> None:
    """Remove the rows of an earlier run (everything hanging off search-bench- institutions and fields)."""
    from django.db import connection, transaction

    facilities = (
        "SELECT f.id FROM catalogue_facility f JOIN catalogue_institution i ON i.id = f.institution_id "
        f"WHERE i.slug LIKE '{PREFIX}%%'"
    )
    resources = f"SELECT id FROM catalogue_resource WHERE facility_id IN ({facilities})"
    policies = f"SELECT id FROM booking_bookingpolicy WHERE resource_id IN ({resources})"
    price_lists = f"SELECT id FROM pricing_pricelist WHERE resource_id IN ({resources})"
    statements = [
        f"DELETE FROM pricing_pricelistitem WHERE price_list_id IN ({price_lists})",
        f"DELETE FROM pricing_pricelist WHERE id IN ({price_lists})",
        f"DELETE FROM booking_openinghours WHERE policy_id IN ({policies})",
        f"DELETE FROM booking_bookingpolicy WHERE id IN ({policies})",
        f"DELETE FROM catalogue_resource WHERE id IN ({resources})",
        f"DELETE FROM catalogue_contactperson WHERE facility_id IN ({facilities})",
        f"DELETE FROM catalogue_facility_categories WHERE facility_id IN ({facilities})",
        f"DELETE FROM catalogue_facility WHERE id IN ({facilities})",
        f"DELETE FROM catalogue_institution WHERE slug LIKE '{PREFIX}%%'",
        f"DELETE FROM catalogue_category WHERE slug LIKE '{PREFIX}%%'",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def build(facility_count: int, resources_per_facility: int, seed: int = 7) -> dict:
    """The national register: real institution names, research fields and facility texts from the demo register,
    `facility_count` facilities whose names and texts mix those with techniques and instruments, and
    `resources_per_facility` resources each (two instruments, then rooms and services); instruments and rooms are
    bookable, with a booking policy (every third needs approval), opening hours Monday to Friday 08–16 and a price
    list of this year."""
    from django.db import transaction
    from django.utils import timezone

    from booking.models import BookingPolicy, OpeningHours
    from catalogue.choices import AccessModel, PublicationStatus, ResourceKind
    from catalogue.demo import records
    from catalogue.models import Category, ContactPerson, Facility, Institution, Resource
    from pricing.choices import PriceTier, PriceUnit
    from pricing.models import PriceList, PriceListItem

    rng = random.Random(seed)
    started = time.perf_counter()
    today = timezone.localdate()
    with transaction.atomic():
        institutions = {
            record.slug: institution
            for record, institution in zip(
                records.INSTITUTIONS,
                Institution.objects.bulk_create(
                    Institution(
                        kind=record.kind,
                        name=f"{record.name} (benchmark)",
                        short_name=f"SB-{record.short_name}"[:40],
                        slug=f"{PREFIX}{record.slug}"[:60],
                        city=record.city,
                        region=record.region,
                    )  # fmt: skip
                    for record in records.INSTITUTIONS
                ),
                strict=True,
            )
        }
        categories = dict(
            zip(
                records.CATEGORIES,
                Category.objects.bulk_create(
                    Category(slug=f"{PREFIX}{slug}"[:80], name_nb=names[0], name_en=names[1])
                    for slug, names in records.CATEGORIES.items()
                ),
                strict=True,
            )
        )
        facilities = []
        facility_categories = []
        for number in range(facility_count):
            record = records.FACILITIES[number % len(records.FACILITIES)]
            picked = rng.sample(TECHNIQUES, 2)
            main = picked[0]
            if number < len(records.FACILITIES):
                name = record.name
            else:
                template = rng.choice(FACILITY_NAMES_NB)
                name = template.format(t=main[0], T=main[0].capitalize()) + f" {number // len(TECHNIQUES) + 1}"
            sentences_nb = [sentence for sentence in (record.description_nb,) if sentence]
            sentences_en = [sentence for sentence in (record.description_en,) if sentence]
            # The third technique named in the text is the facility's own research field's, in plain words.
            field_nb, field_en = records.CATEGORIES.get(record.categories[0], ("analyse", "analysis"))
            words = {"a": picked[0][0], "b": picked[1][0], "c": field_nb.lower()}
            words_en = {"a": picked[0][1], "b": picked[1][1], "c": field_en.lower()}
            for index in rng.sample(range(len(SENTENCES_NB)), 3):
                sentences_nb.append(SENTENCES_NB[index].format(**words, instrument=main[2].lower()))
                sentences_en.append(SENTENCES_EN[index].format(**words_en, instrument=main[3].lower()))
            institution = institutions[record.institution]
            access = rng.sample(list(AccessModel), rng.randint(1, 3))
            facilities.append(
                Facility(
                    institution=institution,
                    kind=record.kind,
                    name=name,
                    slug=f"{PREFIX}{number}",
                    description_nb=" ".join(sentences_nb),
                    description_en=" ".join(sentences_en),
                    keywords=", ".join(filter(None, [record.keywords, *(technique[0] for technique in picked)]))[:500],
                    offers_rental=AccessModel.RENTAL in access,
                    offers_service=AccessModel.SERVICE in access,
                    offers_commissioned=AccessModel.COMMISSIONED in access,
                    offers_collaboration=AccessModel.COLLABORATION in access,
                    open_to_industry=rng.random() < 0.8,
                    city=record.city or institution.city,
                    last_verified=today - datetime.timedelta(days=rng.randint(0, 540)),
                    status=PublicationStatus.PUBLISHED if rng.random() < 0.97 else PublicationStatus.DRAFT,
                )  # fmt: skip
            )
            facility_categories.append([categories[slug] for slug in record.categories if slug in categories])
        facilities = Facility.objects.bulk_create(facilities, batch_size=1000)
        through = Facility.categories.through
        through.objects.bulk_create(
            (
                through(facility=facility, category=category)
                for facility, chosen in zip(facilities, facility_categories, strict=True)
                for category in chosen
            ),
            batch_size=5000,
        )
        ContactPerson.objects.bulk_create(
            (
                ContactPerson(
                    facility=facility,
                    name=f"{rng.choice(records.FIRST_NAMES)} {rng.choice(records.LAST_NAMES)}",
                    role="Kontaktperson (fiktiv, benchmark)",
                    email=f"kontakt.{facility.slug}@example.org",
                    phone=f"+47 400 {facility.pk % 100000:05d}",
                    is_primary=True,
                )  # fmt: skip
                for facility in facilities
            ),
            batch_size=5000,
        )
        kinds = [ResourceKind.INSTRUMENT, ResourceKind.INSTRUMENT, ResourceKind.ROOM, ResourceKind.SERVICE]
        resources = []
        for facility in facilities:
            for index in range(resources_per_facility):
                technique = rng.choice(TECHNIQUES)
                kind = kinds[index % len(kinds)]
                resources.append(
                    Resource(
                        facility=facility,
                        kind=kind,
                        bookable=kind != ResourceKind.SERVICE,
                        name={ResourceKind.INSTRUMENT: technique[2], ResourceKind.ROOM: f"Lab {index + 101}"}.get(
                            kind, f"Analyse: {technique[0]}"
                        ),
                        description_nb=f"Til {technique[0]}.",
                        description_en=f"For {technique[1]}.",
                    )  # fmt: skip
                )
        resources = Resource.objects.bulk_create(resources, batch_size=5000)
        bookable = [resource for resource in resources if resource.bookable]
        policies = BookingPolicy.objects.bulk_create(
            (
                BookingPolicy(resource=resource, requires_approval=number % 3 == 0, min_notice_minutes=0)
                for number, resource in enumerate(bookable)
            ),
            batch_size=5000,
        )
        OpeningHours.objects.bulk_create(
            (
                OpeningHours(policy=policy, weekday=weekday, opens=datetime.time(8), closes=datetime.time(16))
                for policy in policies
                for weekday in range(5)
            ),
            batch_size=10000,
        )
        price_lists = PriceList.objects.bulk_create(
            (PriceList(resource=resource, valid_from=today.replace(month=1, day=1)) for resource in bookable),
            batch_size=5000,
        )
        PriceListItem.objects.bulk_create(
            (
                PriceListItem(price_list=price_list, unit=PriceUnit.HOUR, tier=tier, price=price)
                for price_list in price_lists
                for tier, price in (
                    (PriceTier.INTERNAL, 400 + price_list.pk % 7 * 50),
                    (PriceTier.EXTERNAL_NON_ECONOMIC, 600 + price_list.pk % 7 * 50),
                    (PriceTier.EXTERNAL_ECONOMIC, 1200 + price_list.pk % 7 * 100),
                )
            ),
            batch_size=10000,
        )
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "institutions": len(institutions),
        "facilities": len(facilities),
        "resources": len(resources),
        "bookable_resources": len(bookable),
    }


def counts() -> dict:
    from catalogue.choices import PublicationStatus
    from catalogue.models import Facility, Resource

    return {
        "facilities": Facility.objects.count(),
        "published_facilities": Facility.objects.filter(status=PublicationStatus.PUBLISHED).count(),
        "resources": Resource.objects.count(),
    }


# The plain SQL of the same search, as one would write it by hand against the same indexes: the first page of
# matches (stemmed prefix words, substrings, research fields), ranked. No facets, no count, no application.
PLAIN_SQL = """
    SELECT f.id, f.name, ts_rank(f.search_vector, to_tsquery('norwegian', %(tsquery)s)) AS rank
    FROM catalogue_facility f
    WHERE f.status = 'published' AND (
        f.search_vector @@ to_tsquery('norwegian', %(tsquery)s)
        OR f.search_text LIKE %(like)s
        OR f.id = ANY(ARRAY(
            SELECT fc.facility_id FROM catalogue_facility_categories fc
            JOIN catalogue_category c ON c.id = fc.category_id
            WHERE c.name_nb ILIKE %(like)s OR c.name_en ILIKE %(like)s
                OR to_tsvector('norwegian', c.name_nb || ' ' || c.name_en) @@ to_tsquery('norwegian', %(tsquery)s)
        ))
    )
    ORDER BY rank DESC, f.name LIMIT 20
"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def _summary(durations: list[float]) -> dict:
    return {
        "p50_ms": round(_percentile(durations, 0.5), 1),
        "p95_ms": round(_percentile(durations, 0.95), 1),
        "max_ms": round(max(durations), 1),
    }


def measure(repeats: int, warmup: int = 3) -> dict:
    """Each search `repeats` times on the page, in the API and in plain SQL, interleaved so that all three see the
    same machine; the first `warmup` rounds are not counted."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tools.benchmark.runner import cpu_ticks, stolen_share

    client = Client()
    page_url = reverse("catalogue:search")
    timings = {text: {"page": [], "api": [], "sql": []} for text, _why in SEARCHES}
    # The CPU time this process spent on each request (Django, DRF, templates; not PostgreSQL's): on a machine
    # shared with other work it says more about the application's own cost than the wall clock does.
    cpu = {text: {"page": [], "api": []} for text, _why in SEARCHES}
    queries = {}
    found = {}
    ticks = cpu_ticks()
    for round_number in range(warmup + repeats):
        for text, _why in SEARCHES:
            samples = {}
            cpu_samples = {}
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get(page_url, {"q": text})
            samples["page"] = (time.perf_counter() - began) * 1000
            cpu_samples["page"] = (time.process_time() - began_cpu) * 1000
            assert response.status_code == 200, response.status_code
            began, began_cpu = time.perf_counter(), time.process_time()
            response = client.get("/api/v1/facilities/", {"q": text})
            samples["api"] = (time.perf_counter() - began) * 1000
            cpu_samples["api"] = (time.process_time() - began_cpu) * 1000
            assert response.status_code == 200, response.status_code
            found[text] = response.json()["count"]
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(PLAIN_SQL, {"tsquery": f"{text}:*", "like": f"%{text}%"})
                cursor.fetchall()
            samples["sql"] = (time.perf_counter() - began) * 1000
            if round_number >= warmup:
                for channel, value in samples.items():
                    timings[text][channel].append(value)
                for channel, value in cpu_samples.items():
                    cpu[text][channel].append(value)
    stolen = stolen_share(ticks, cpu_ticks())
    for text, _why in SEARCHES:
        with CaptureQueriesContext(connection) as page_queries:
            client.get(page_url, {"q": text})
        with CaptureQueriesContext(connection) as api_queries:
            client.get("/api/v1/facilities/", {"q": text})
        queries[text] = {"page": len(page_queries), "api": len(api_queries)}
    every = {
        channel: [value for text in timings for value in timings[text][channel]] for channel in ("page", "api", "sql")
    }
    return {
        "repeats": repeats,
        "searches": {
            text: {
                "why": why,
                "matches": found[text],
                "queries": queries[text],
                **{channel: _summary(timings[text][channel]) for channel in ("page", "api", "sql")},
                "cpu": {channel: _summary(cpu[text][channel]) for channel in ("page", "api")},
            }
            for text, why in SEARCHES
        },
        "all": {channel: _summary(values) for channel, values in every.items()},
        "all_cpu": {
            channel: _summary([value for text in cpu for value in cpu[text][channel]]) for channel in ("page", "api")
        },
        "stolen_cpu_share": stolen,
    }


def markdown_table(report: dict) -> str:
    """The table of docs/benchmark.md "Register search" for a report: per search the matches, the wall clock of
    page, API and plain SQL (p50 / p95) and the CPU time of page and API (p50), then all five together."""
    lines = [
        "| search | matches | page p50 / p95 ms | API p50 / p95 ms | plain SQL p50 / p95 ms | CPU page / API p50 ms |",
        "| --- | --- | --- | --- | --- | --- |",
    ]

    def pair(summary):
        return f"{summary['p50_ms']:.1f} / {summary['p95_ms']:.1f}"

    for text, found in report["searches"].items():
        cpu = found["cpu"]
        lines.append(
            f"| {text} | {found['matches']} | {pair(found['page'])} | {pair(found['api'])} | {pair(found['sql'])} "
            f"| {cpu['page']['p50_ms']:.1f} / {cpu['api']['p50_ms']:.1f} |"
        )
    every, cpu = report["all"], report["all_cpu"]
    lines.append(
        f"| **all five** | | **{pair(every['page'])}** | **{pair(every['api'])}** | {pair(every['sql'])} "
        f"| {cpu['page']['p50_ms']:.1f} / {cpu['api']['p50_ms']:.1f} |"
    )
    return "\n".join(lines)


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facilities", type=int, default=5000)
    parser.add_argument("--resources-per-facility", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=40, help="measured requests per search and channel")
    parser.add_argument("--skip-build", action="store_true", help="reuse the register of an earlier run")
    parser.add_argument(
        "--output-dir",
        type=Path,
        help="where the JSON file goes (default: .benchmark/ in the project, which git ignores)",
    )
    args = parser.parse_args(argv)
    _setup_django()
    from django.conf import settings
    from django.db import connection

    from tools.benchmark.runner import BenchmarkError, prepare_database

    try:
        prepare_database()
    except BenchmarkError as error:
        raise SystemExit(f"benchmark: {error}") from error
    built = None
    if not args.skip_build:
        wipe()
        built = build(args.facilities, args.resources_per_facility)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")  # as autovacuum would after a bulk load, before measuring
    load_before = [round(value, 2) for value in os.getloadavg()]
    measured = measure(args.repeats)
    report = {
        "database": connection.vendor,
        "data": counts(),
        "build": built,
        "load_average_before": load_before,
        "load_average_after": [round(value, 2) for value in os.getloadavg()],
        "cpus": os.cpu_count(),
        **measured,
        "targets": {
            f"page p95 < {PAGE_TARGET_P95_MS} ms": measured["all"]["page"]["p95_ms"] < PAGE_TARGET_P95_MS,
            f"api p95 < {API_TARGET_P95_MS} ms": measured["all"]["api"]["p95_ms"] < API_TARGET_P95_MS,
        },
    }
    output_dir = args.output_dir or Path(settings.BASE_DIR) / ".benchmark"
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / f"search-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"written to {path}", file=sys.stderr)
    print(
        f"\nload average before {load_before}, after {report['load_average_after']}; queries per search: "
        f"{ {text: found['queries'] for text, found in report['searches'].items()} }\n{markdown_table(report)}",
        file=sys.stderr,
    )
    return report


if __name__ == "__main__":
    main()
