"""The data of the demo register.

Institutions and facilities are the real ones named in Oslo Economics (2020), "Kartlegging av restkapasitet i
laboratorier og infrastruktur for testing og pilotering med relevans for helsenæringen": chapter 3 and
Appendix A ("Oversikt over offentlige infrastruktur", including Table A-1 for the health trusts), and the
clusters' labs of chapter 2. Descriptions repeat what the report says, or stay generic where it only names the
facility. Contact persons, e-mail addresses and phone numbers are made up by the loader, never real.

Table A-1 lost its column headings in the text version of the report. The columns are read as: medisinsk
biokjemi, immunologi og transfusjonsmedisin, medisinsk mikrobiologi, patologi, medisinsk genetikk, klinisk
farmakologi; that order reproduces the report's own counts (17 health trusts do biochemistry, six genetics,
five pharmacology).
"""

from dataclasses import dataclass, field

from catalogue.choices import FacilityKind, InstitutionKind, Region, ResourceKind

UNIVERSITY = InstitutionKind.UNIVERSITY
COLLEGE = InstitutionKind.UNIVERSITY_COLLEGE
HEALTH_TRUST = InstitutionKind.HEALTH_TRUST
INSTITUTE = InstitutionKind.RESEARCH_INSTITUTE
CLUSTER = InstitutionKind.CLUSTER

CORE = FacilityKind.CORE_FACILITY
LAB = FacilityKind.LABORATORY
TEST_BED = FacilityKind.TEST_BED
SIMULATION = FacilityKind.SIMULATION_CENTRE
ANIMALS = FacilityKind.ANIMAL_FACILITY
BIOBANK = FacilityKind.BIOBANK
CLINICAL = FacilityKind.CLINICAL_RESEARCH_UNIT
NODE = FacilityKind.NATIONAL_NODE

INSTRUMENT = ResourceKind.INSTRUMENT
ROOM = ResourceKind.ROOM
SERVICE = ResourceKind.SERVICE


@dataclass(frozen=True)
class InstitutionRecord:
    slug: str
    short_name: str
    name: str
    kind: str
    city: str
    region: str
    web_address: str = ""
    org_number: str = ""


@dataclass(frozen=True)
class ResourceRecord:
    kind: str
    name: str
    description_nb: str
    description_en: str


@dataclass(frozen=True)
class FacilityRecord:
    institution: str  # the institution's slug
    name: str
    kind: str
    categories: tuple[str, ...]
    description_nb: str = ""
    description_en: str = ""
    keywords: str = ""
    city: str = ""  # empty: the institution's city
    campus: str = ""
    national_infrastructures: tuple[str, ...] = ()
    accreditation: str = ""
    resources: tuple[ResourceRecord, ...] = field(default=())


# slug: (Bokmål, English)
CATEGORIES: dict[str, tuple[str, str]] = {
    "medisinsk-biokjemi": ("Medisinsk biokjemi", "Medical biochemistry"),
    "immunologi-transfusjonsmedisin": ("Immunologi og transfusjonsmedisin", "Immunology and transfusion medicine"),
    "medisinsk-mikrobiologi": ("Medisinsk mikrobiologi", "Medical microbiology"),
    "patologi": ("Patologi", "Pathology"),
    "medisinsk-genetikk": ("Medisinsk genetikk", "Medical genetics"),
    "klinisk-farmakologi": ("Klinisk farmakologi", "Clinical pharmacology"),
    "bildediagnostikk": ("Bildediagnostikk og MR", "Imaging and MRI"),
    "mikroskopi": ("Mikroskopi", "Microscopy"),
    "genomikk": ("Genomikk og sekvensering", "Genomics and sequencing"),
    "proteomikk": ("Proteomikk og massespektrometri", "Proteomics and mass spectrometry"),
    "metabolomikk": ("Metabolomikk", "Metabolomics"),
    "bioinformatikk": ("Bioinformatikk og biostatistikk", "Bioinformatics and biostatistics"),
    "flowcytometri": ("Flowcytometri", "Flow cytometry"),
    "strukturbiologi": ("Strukturbiologi", "Structural biology"),
    "stamceller": ("Stamceller og cellekulturer", "Stem cells and cell cultures"),
    "forsoksdyr": ("Forsøksdyr og komparativ medisin", "Laboratory animals and comparative medicine"),
    "nevrovitenskap": ("Nevrovitenskap", "Neuroscience"),
    "simulering": ("Simulering og ferdighetstrening", "Simulation and skills training"),
    "e-helse": ("E-helse og velferdsteknologi", "E-health and welfare technology"),
    "klinisk-forskning": ("Klinisk forskning", "Clinical research"),
    "biobank": ("Biobank", "Biobanking"),
    "bevegelse-idrett": ("Bevegelse, trening og idrettsfysiologi", "Movement, exercise and sports physiology"),
    "kjemi": ("Kjemi og biokjemi", "Chemistry and biochemistry"),
    "radiografi": ("Radiografi og røntgen", "Radiography and X-ray"),
    "medisinsk-teknologi": ("Medisinsk teknologi", "Medical technology"),
    "legemiddelscreening": ("Legemiddelscreening", "Drug screening"),
    "molekylaerbiologi": ("Molekylærbiologi", "Molecular biology"),
    "bioteknologi": ("Bioteknologi", "Biotechnology"),
    "miljogifter": ("Miljøgifter og toksikologi", "Environmental toxins and toxicology"),
    "rusmiddel-rettsmedisin": ("Rusmiddelanalyser og rettsmedisin", "Drug testing and forensic medicine"),
    "hormonanalyser": ("Hormonanalyser", "Hormone analysis"),
    "klinisk-fysiologi": ("Klinisk fysiologi", "Clinical physiology"),
    "helsedata": ("Helsedata og befolkningsstudier", "Health data and population studies"),
    "verksted": ("Verksted og instrumentering", "Workshop and instrumentation"),
    "veterinaermedisin": ("Veterinærmedisin", "Veterinary medicine"),
    "rehabilitering": ("Rehabilitering og terapi", "Rehabilitation and therapy"),
    "inkubator": ("Inkubator og delelaboratorium", "Incubator and shared laboratory"),
    "anatomi": ("Anatomi", "Anatomy"),
    "miljo-energi": ("Miljø og energi", "Environment and energy"),
    "mikro-nanoteknologi": ("Mikro- og nanoteknologi", "Micro- and nanotechnology"),
}

# slug: name (report 3.2.5)
NATIONAL_INFRASTRUCTURES: dict[str, str] = {
    "norbrain": "NORBRAIN",
    "biobank-norge": "Biobank Norge",
    "norcrin": "NorCRIN",
    "normit": "NorMIT",
    "normolim": "NORMOLIM",
    "praksisnett": "PraksisNett",
}

NORTH, CENTRAL, WEST, SOUTH_EAST = Region.NORTH, Region.CENTRAL, Region.WEST, Region.SOUTH_EAST

INSTITUTIONS: list[InstitutionRecord] = [
    # Universities (report 3.2.3, 3.2.4, Appendix A)
    InstitutionRecord(
        "uio", "UiO", "Universitetet i Oslo", UNIVERSITY, "Oslo", SOUTH_EAST, "https://www.uio.no/", "971035854"
    ),
    InstitutionRecord(
        "ntnu",
        "NTNU",
        "Norges teknisk-naturvitenskapelige universitet",
        UNIVERSITY,
        "Trondheim",
        CENTRAL,
        "https://www.ntnu.no/",
        "974767880",
    ),
    InstitutionRecord(
        "uib", "UiB", "Universitetet i Bergen", UNIVERSITY, "Bergen", WEST, "https://www.uib.no/", "874789542"
    ),
    InstitutionRecord(
        "uit", "UiT", "UiT Norges arktiske universitet", UNIVERSITY, "Tromsø", NORTH, "https://uit.no/", "970422528"
    ),
    InstitutionRecord(
        "nmbu",
        "NMBU",
        "Norges miljø- og biovitenskapelige universitet",
        UNIVERSITY,
        "Ås",
        SOUTH_EAST,
        "https://www.nmbu.no/",
    ),
    InstitutionRecord(
        "oslomet", "OsloMet", "OsloMet – storbyuniversitetet", UNIVERSITY, "Oslo", SOUTH_EAST, "https://www.oslomet.no/"
    ),
    InstitutionRecord(
        "usn", "USN", "Universitetet i Sørøst-Norge", UNIVERSITY, "Porsgrunn", SOUTH_EAST, "https://www.usn.no/"
    ),
    InstitutionRecord(
        "uia", "UiA", "Universitetet i Agder", UNIVERSITY, "Kristiansand", SOUTH_EAST, "https://www.uia.no/"
    ),
    InstitutionRecord("uis", "UiS", "Universitetet i Stavanger", UNIVERSITY, "Stavanger", WEST, "https://www.uis.no/"),
    InstitutionRecord("nord", "Nord", "Nord universitet", UNIVERSITY, "Bodø", NORTH, "https://www.nord.no/"),
    # University colleges
    InstitutionRecord("hvl", "HVL", "Høgskulen på Vestlandet", COLLEGE, "Bergen", WEST, "https://www.hvl.no/"),
    InstitutionRecord("inn", "HINN", "Høgskolen i Innlandet", COLLEGE, "Hamar", SOUTH_EAST, "https://www.inn.no/"),
    InstitutionRecord("hiof", "HiØ", "Høgskolen i Østfold", COLLEGE, "Halden", SOUTH_EAST, "https://www.hiof.no/"),
    InstitutionRecord(
        "kristiania", "Kristiania", "Høyskolen Kristiania", COLLEGE, "Oslo", SOUTH_EAST, "https://www.kristiania.no/"
    ),
    InstitutionRecord("nih", "NIH", "Norges idrettshøgskole", COLLEGE, "Oslo", SOUTH_EAST, "https://www.nih.no/"),
    InstitutionRecord("himolde", "HiMolde", "Høgskolen i Molde", COLLEGE, "Molde", CENTRAL, "https://www.himolde.no/"),
    # Health trusts of Table A-1
    InstitutionRecord("helse-forde", "Helse Førde", "Helse Førde HF", HEALTH_TRUST, "Førde", WEST),
    InstitutionRecord(
        "helse-bergen", "Helse Bergen", "Helse Bergen HF (Haukeland universitetssjukehus)", HEALTH_TRUST, "Bergen", WEST
    ),
    InstitutionRecord("helse-fonna", "Helse Fonna", "Helse Fonna HF", HEALTH_TRUST, "Haugesund", WEST),
    InstitutionRecord(
        "helse-stavanger",
        "Helse Stavanger",
        "Helse Stavanger HF (Stavanger universitetssjukehus)",
        HEALTH_TRUST,
        "Stavanger",
        WEST,
    ),
    InstitutionRecord(
        "helse-more-og-romsdal", "Helse Møre og Romsdal", "Helse Møre og Romsdal HF", HEALTH_TRUST, "Ålesund", CENTRAL
    ),
    InstitutionRecord(
        "st-olavs-hospital", "St. Olavs hospital", "St. Olavs hospital HF", HEALTH_TRUST, "Trondheim", CENTRAL
    ),
    InstitutionRecord(
        "helse-nord-trondelag", "Helse Nord-Trøndelag", "Helse Nord-Trøndelag HF", HEALTH_TRUST, "Levanger", CENTRAL
    ),
    InstitutionRecord(
        "helgelandssykehuset", "Helgelandssykehuset", "Helgelandssykehuset HF", HEALTH_TRUST, "Mosjøen", NORTH
    ),
    InstitutionRecord(
        "finnmarkssykehuset", "Finnmarkssykehuset", "Finnmarkssykehuset HF", HEALTH_TRUST, "Hammerfest", NORTH
    ),
    InstitutionRecord("nordlandssykehuset", "Nordlandssykehuset", "Nordlandssykehuset HF", HEALTH_TRUST, "Bodø", NORTH),
    InstitutionRecord("unn", "UNN", "Universitetssykehuset Nord-Norge HF", HEALTH_TRUST, "Tromsø", NORTH),
    InstitutionRecord("ahus", "Ahus", "Akershus universitetssykehus HF", HEALTH_TRUST, "Lørenskog", SOUTH_EAST),
    InstitutionRecord("ous", "OUS", "Oslo universitetssykehus HF", HEALTH_TRUST, "Oslo", SOUTH_EAST),
    InstitutionRecord(
        "sykehuset-i-vestfold", "Sykehuset i Vestfold", "Sykehuset i Vestfold HF", HEALTH_TRUST, "Tønsberg", SOUTH_EAST
    ),
    InstitutionRecord(
        "sykehuset-innlandet", "Sykehuset Innlandet", "Sykehuset Innlandet HF", HEALTH_TRUST, "Hamar", SOUTH_EAST
    ),
    InstitutionRecord(
        "sykehuset-telemark", "Sykehuset Telemark", "Sykehuset Telemark HF", HEALTH_TRUST, "Skien", SOUTH_EAST
    ),
    InstitutionRecord(
        "sykehuset-ostfold", "Sykehuset Østfold", "Sykehuset Østfold HF", HEALTH_TRUST, "Sarpsborg", SOUTH_EAST
    ),
    InstitutionRecord(
        "sorlandet-sykehus", "Sørlandet sykehus", "Sørlandet sykehus HF", HEALTH_TRUST, "Kristiansand", SOUTH_EAST
    ),
    InstitutionRecord("vestre-viken", "Vestre Viken", "Vestre Viken HF", HEALTH_TRUST, "Drammen", SOUTH_EAST),
    InstitutionRecord("sunnaas", "Sunnaas", "Sunnaas sykehus HF", HEALTH_TRUST, "Nesodden", SOUTH_EAST),
    # Clusters and incubators with labs (report 2.5, 2.6)
    InstitutionRecord(
        "oslo-cancer-cluster",
        "OCC",
        "Oslo Cancer Cluster",
        CLUSTER,
        "Oslo",
        SOUTH_EAST,
        "https://oslocancercluster.no/",
    ),
    InstitutionRecord("sharelab", "ShareLab", "ShareLab", CLUSTER, "Oslo", SOUTH_EAST),
    InstitutionRecord(
        "norwegian-smart-care-cluster", "NSCC", "Norwegian Smart Care Cluster", CLUSTER, "Oslo", SOUTH_EAST
    ),
    InstitutionRecord(
        "norway-health-tech",
        "NHT",
        "Norway Health Tech",
        CLUSTER,
        "Oslo",
        SOUTH_EAST,
        "https://www.norwayhealthtech.com/",
    ),
]


def _r(kind: str, name: str, description_nb: str, description_en: str) -> ResourceRecord:
    return ResourceRecord(kind, name, description_nb, description_en)


def _f(institution: str, name: str, kind: str, *categories: str, **details) -> FacilityRecord:
    return FacilityRecord(institution, name, kind, tuple(categories), **details)


# --- Facilities described in chapter 3 and listed in Appendix A -------------------------------------------------

UIO = [
    _f("uio", "Avansert elektronmikroskopi", CORE, "mikroskopi", keywords="elektronmikroskopi, TEM, SEM"),
    _f("uio", "Avansert lysmikroskopi", CORE, "mikroskopi", keywords="lysmikroskopi, konfokalmikroskopi"),
    _f("uio", "Bioinformatikk", CORE, "bioinformatikk", keywords="bioinformatikk, dataanalyse"),
    _f(
        "uio",
        "Biokjemisk screeningtjeneste",
        CORE,
        "legemiddelscreening",
        "kjemi",
        description_nb="Tilbyr screening av små kjemiske stoffer med høy gjennomstrømningshastighet. Fasiliteten har "
        "et stort antall biokjemiske og cellebaserte metoder tilgjengelig, og tilbyr sine tjenester til brukere "
        "fra forskningsinstitusjoner og bioteknologifirmaer.",
        description_en="Offers high-throughput screening of small chemical compounds. The facility has a large number "
        "of biochemical and cell-based assays and serves users from research institutions and biotech companies.",
        keywords="high-throughput screening, cellebaserte metoder, småmolekyler",
    ),
    _f("uio", "Elektronmikroskopisk laboratorium", LAB, "mikroskopi", keywords="elektronmikroskopi"),
    _f("uio", "Flowcytometri", CORE, "flowcytometri", keywords="flowcytometri, cellesortering"),
    _f("uio", "Genomikk", CORE, "genomikk", keywords="sekvensering, genomikk"),
    _f(
        "uio",
        "Humane pluripotente stamceller",
        CORE,
        "stamceller",
        description_nb="Gir forskere tilgang til etablerte humane ES- og iPS-cellelinjer, etablert gjennom pågående "
        "REK-godkjente prosjekter, og tilbyr reprogrammeringstjenester til forskere som vil etablere og karakterisere "
        "nye iPS-cellelinjer fra pasienter og friske donorer. Drives i samarbeid med OUS.",
        description_en="Gives researchers access to established human ES and iPS cell lines from ongoing projects "
        "approved by the ethics committees, and offers reprogramming services for establishing and characterising "
        "new iPS cell lines from patients and healthy donors. Run together with Oslo University Hospital.",
        keywords="iPS, ES-celler, cellekulturer, reprogrammering",
    ),
    _f(
        "uio",
        "Norsk transgensenter",
        CORE,
        "forsoksdyr",
        "molekylaerbiologi",
        description_nb="Huser ekspertise på avansert transgenteknologi og manipulasjon av museembryo på "
        "preimplantasjonsnivå, blant annet konstruksjon av nye transgene mus, rederivasjoner og nedfrysning. Tilbyr "
        "også rådgivning i strategier for avl, biopsitagning og analyse av DNA.",
        description_en="Expertise in advanced transgenic technology and manipulation of mouse embryos at the "
        "pre-implantation stage, including new transgenic mice, rederivation and cryopreservation. Also advises on "
        "breeding strategies, biopsies and DNA analysis.",
        keywords="transgene mus, embryomanipulasjon, kryopreservering",
    ),
    _f("uio", "Preklinisk MR", CORE, "bildediagnostikk", "forsoksdyr", keywords="MR, smådyr-MR"),
    _f("uio", "Proteomikk", CORE, "proteomikk", keywords="massespektrometri, proteomikk"),
    _f("uio", "Sebrafisk", CORE, "forsoksdyr", keywords="sebrafisk"),
    _f("uio", "Stordyrforskning", ANIMALS, "forsoksdyr", keywords="stordyr, kirurgi"),
    _f("uio", "Strukturbiologi", CORE, "strukturbiologi", keywords="krystallografi, strukturbiologi"),
    _f(
        "uio",
        "To-foton mikroskopi (NORBRAIN-node)",
        NODE,
        "mikroskopi",
        "nevrovitenskap",
        description_nb="NORBRAIN-node ved UiO med utstyr for to-foton laserskanningsmikroskopi, del av den nasjonale "
        "infrastrukturen for nevrovitenskapelig forskning.",
        description_en="NORBRAIN node at the University of Oslo with equipment for two-photon laser scanning "
        "microscopy, part of the national infrastructure for neuroscience.",
        keywords="to-foton, laserskanningsmikroskopi, hjerneforskning",
        national_infrastructures=("norbrain",),
        resources=(
            _r(
                INSTRUMENT,
                "To-foton laserskanningsmikroskop",
                "Mikroskop for to-foton avbildning av levende vev.",
                "Microscope for two-photon imaging of living tissue.",
            ),
        ),
    ),
    _f(
        "uio",
        "Translasjonell MRI nevroimaging",
        CORE,
        "bildediagnostikk",
        "nevrovitenskap",
        description_nb="Tilbyr MRI-tjenester for hjerneforskning. I tillegg til MRI-skanner tilbyr infrastrukturen "
        "integrert eksperimentelt utstyr som MR-kompatibelt EEG-utstyr og et oppsett for fMRI-eksperimenter.",
        description_en="Offers MRI services for brain research. Besides the MRI scanner the infrastructure offers "
        "integrated experimental equipment such as MR-compatible EEG and a set-up for fMRI experiments.",
        keywords="MRI, fMRI, EEG, nevroimaging",
        resources=(
            _r(
                INSTRUMENT,
                "MR-skanner for hjerneforskning",
                "MR-skanner med oppsett for fMRI-eksperimenter.",
                "MRI scanner with a set-up for fMRI experiments.",
            ),
            _r(
                INSTRUMENT,
                "MR-kompatibelt EEG-utstyr",
                "EEG-utstyr som kan brukes inne i MR-skanneren.",
                "EEG equipment that can be used inside the MRI scanner.",
            ),
        ),
    ),
    _f(
        "uio",
        "Seksjon for komparativ medisin",
        ANIMALS,
        "forsoksdyr",
        description_nb="Forsøksdyravdeling som leverer tjenester innen oppstalling, stell og avl av mus og rotter. "
        "Avdelingen er på totalt 4 000 kvadratmeter og rommer alle nivåer av patogenkontrollert areal (SOPF, SPF, "
        "MDU, KONV) med moderne IVC-systemer. Personalet kan bistå med studiedesign, søknader i FOTS, prøvetaking, "
        "substansapplikasjon, anestesi og operasjoner.",
        description_en="Animal facility providing housing, care and breeding of mice and rats. The section has 4,000 "
        "square metres with all levels of pathogen-controlled areas (SOPF, SPF, MDU, KONV) and modern IVC housing. "
        "Staff help with study design, FOTS applications, sampling, substance administration, anaesthesia and "
        "surgery.",
        keywords="mus, rotter, SPF, IVC, FOTS",
    ),
    _f("uio", "Molecular lab", LAB, "molekylaerbiologi"),
    _f("uio", "DNA-lab (PCR)", LAB, "molekylaerbiologi", "genomikk", keywords="PCR"),
    _f("uio", "DHIS2 design lab", TEST_BED, "e-helse", keywords="DHIS2, helseinformasjonssystemer, brukertesting"),
    _f("uio", "Metabolomics Lab", LAB, "metabolomikk"),
    _f("uio", "Cell Lab", LAB, "stamceller", keywords="cellekulturer"),
    _f(
        "uio",
        "Helse Sør-Øst infrastruktur for klinisk forskning og translasjonsforskning (SERIT)",
        CLINICAL,
        "klinisk-forskning",
    ),
]

OUS = [
    _f("ous", "Advanced Light Microscopy", CORE, "mikroskopi"),
    _f("ous", "Bioinformatics Core Facility", CORE, "bioinformatikk"),
    _f("ous", "DNA sequencing, Regional Core Facility", CORE, "genomikk"),
    _f("ous", "Flow Cytometry", CORE, "flowcytometri"),
    _f("ous", "High-Throughput Chemical Biology Screening Platform", CORE, "legemiddelscreening"),
    _f("ous", "Core Facility for Large Animal Research", ANIMALS, "forsoksdyr"),
    _f("ous", "National Core Facility for Human Pluripotent Stem Cells", CORE, "stamceller"),
    _f("ous", "Preclinical MRI Core Facility", CORE, "bildediagnostikk"),
    _f("ous", "Proteomics Core Facility (PCF)", CORE, "proteomikk"),
    _f("ous", "Structural Biology", CORE, "strukturbiologi"),
    _f("ous", "Translational MRI NeuroImaging", CORE, "bildediagnostikk", "nevrovitenskap"),
    _f(
        "ous",
        "Intervensjonssenteret",
        NODE,
        "medisinsk-teknologi",
        "bildediagnostikk",
        description_nb="Del av NorMIT, den nasjonale infrastrukturen for minimal invasiv bildeveiledet behandling, "
        "sammen med Fremtidens operasjonsrom ved St. Olavs hospital og i tett samarbeid med SINTEF.",
        description_en="Part of NorMIT, the national infrastructure for minimally invasive image-guided therapy, "
        "together with the Operating Room of the Future at St. Olavs hospital and in close collaboration with SINTEF.",
        keywords="bildeveiledet behandling, ultralyd, MR, CT",
        national_infrastructures=("normit",),
    ),
]

NTNU = [
    _f("ntnu", "Dyreavdeling", ANIMALS, "forsoksdyr"),
    _f(
        "ntnu",
        "Klinisk forskningsenhet Midt-Norge",
        CLINICAL,
        "klinisk-forskning",
        national_infrastructures=("norcrin",),
        description_nb="Kjernefasilitet for klinisk forskning ved NTNU og St. Olavs hospital, del av NorCRIN.",
        description_en="Core facility for clinical research at NTNU and St. Olavs hospital, part of NorCRIN.",
    ),
    _f(
        "ntnu",
        "Fremtidens operasjonsrom (FOR)",
        TEST_BED,
        "medisinsk-teknologi",
        "bildediagnostikk",
        description_nb="Samarbeid mellom St. Olavs hospital og NTNU for forskning og utvikling innen de kirurgiske "
        "fagområdene, med vekt på minimal invasiv bildestyrt pasientbehandling og medisinsk teknologi. Seks "
        "operasjonsstuer og en test-stue der prototyper og nye behandlingsmetoder kan utvikles og testes i trygge og "
        "kontrollerte omgivelser.",
        description_en="Collaboration between St. Olavs hospital and NTNU on research and development in surgery, "
        "focused on minimally invasive image-guided treatment and medical technology. Six operating rooms and a test "
        "room where prototypes and new treatments can be developed and tested in safe, controlled surroundings.",
        keywords="operasjonsstue, bildestyrt kirurgi, prototyper",
        city="Trondheim",
        campus="St. Olavs hospital",
        national_infrastructures=("normit",),
        resources=(
            _r(
                ROOM,
                "Test-stue",
                "Operasjonsstue for utprøving av prototyper.",
                "Operating room for testing prototypes.",
            ),
        ),
    ),
    _f(
        "ntnu",
        "Core facility for exercise, movement, neurophysiology and elite sport science",
        CORE,
        "bevegelse-idrett",
    ),
    _f("ntnu", "Bioinformatics core facility", CORE, "bioinformatikk"),
    _f("ntnu", "Cellular & Molecular Imaging Core Facility", CORE, "mikroskopi", "bildediagnostikk"),
    _f("ntnu", "Centre of Molecular Inflammation Research (CEMIR)", CORE, "molekylaerbiologi"),
    _f("ntnu", "Elektronmikroskopilaboratorium", LAB, "mikroskopi"),
    _f(
        "ntnu",
        "Genomics Core Facility (GCF)",
        CORE,
        "genomikk",
        keywords="sekvensering, genomikk",
        resources=(
            _r(
                INSTRUMENT,
                "Sekvenseringsinstrument",
                "Instrument for høykapasitets DNA- og RNA-sekvensering.",
                "Instrument for high-throughput DNA and RNA sequencing.",
            ),
            _r(
                SERVICE,
                "Sekvenseringstjeneste",
                "Sekvensering utført av fasilitetens personale.",
                "Sequencing performed by the facility's staff.",
            ),
        ),
    ),
    _f(
        "ntnu",
        "Proteomics and Modomics Experimental Core Facility (PROMEC)",
        CORE,
        "proteomikk",
        keywords="proteomikk, RNA/DNA-nukleinsyremodifikasjoner",
    ),
    _f("ntnu", "Motorisk laboratorium", LAB, "bevegelse-idrett"),
    _f("ntnu", "MR Core Facility", CORE, "bildediagnostikk"),
    _f(
        "ntnu",
        "NORBRAIN: The Norwegian Brain Initiative",
        NODE,
        "nevrovitenskap",
        "mikroskopi",
        description_nb="NORBRAIN-fasiliteter ved NTNU for avansert elektrofysiologi og mikroskopi i store "
        "cellepopulasjoner under atferd i frittgående dyr.",
        description_en="NORBRAIN facilities at NTNU for advanced electrophysiology and microscopy of large cell "
        "populations during behaviour in freely moving animals.",
        keywords="elektrofysiologi, mikroskopi, hjerneforskning",
        national_infrastructures=("norbrain",),
    ),
    _f(
        "ntnu",
        "Biobank1",
        BIOBANK,
        "biobank",
        description_nb="Helse Midt-Norges regionale forskningsbiobank, etablert i 2002 i samarbeid med NTNU. Samler "
        "inn og lagrer biologisk materiale og helseopplysninger fra ulike pasientgrupper til forskningsbruk, og "
        "tilbyr rådgivning og laboratorietjenester.",
        description_en="The regional research biobank of Central Norway Regional Health Authority, established in "
        "2002 with NTNU. Collects and stores biological material and health data from patient groups for research, "
        "and offers advice and laboratory services.",
        national_infrastructures=("biobank-norge",),
    ),
    _f(
        "ntnu",
        "Comparative Medicine Core Facility (CoMed)",
        ANIMALS,
        "forsoksdyr",
        description_nb="Forsøksdyravdelingen ved NTNU, godkjent for mus, rotter, marsvin, kaniner, griser, sauer og "
        "geiter. Har blant annet en transgen avlsenhet, en spesifikk patogenfri (SPF) enhet, et I3-laboratorium, en "
        "karanteneenhet og flere operasjonsrom og laboratorier.",
        description_en="NTNU's animal facility, approved for mice, rats, guinea pigs, rabbits, pigs, sheep and goats. "
        "Includes a transgenic breeding unit, a specific-pathogen-free (SPF) unit, an I3 laboratory, a quarantine "
        "unit and several operating rooms and laboratories.",
        keywords="SPF, transgen avl, operasjonsrom",
    ),
    _f(
        "ntnu",
        "Forskningsposten",
        CLINICAL,
        "klinisk-forskning",
        "legemiddelscreening",
        description_nb="Arena for utprøving av legemidler og medisinsk teknologi på vegne av industri.",
        description_en="Arena for trials of medicines and medical technology on behalf of industry.",
    ),
    _f("ntnu", "The Trøndelag Health Study (HUNT)", BIOBANK, "helsedata", "biobank", city="Levanger"),
    _f(
        "ntnu",
        "NeXt Move – kjernefasilitet for trening, bevegelse og nevrofysiologi",
        CORE,
        "bevegelse-idrett",
        description_nb="Tilbyr instrumenter, kompetanse og laboratorier innen nevrofysiologi, treningsfysiologi, "
        "bevegelse og idrettsvitenskap.",
        description_en="Offers instruments, expertise and laboratories in neurophysiology, exercise physiology, "
        "movement and sports science.",
        resources=(
            _r(
                ROOM, "Bevegelseslaboratorium", "Laboratorium for bevegelsesanalyse.", "Laboratory for motion analysis."
            ),
        ),
    ),
    _f(
        "ntnu",
        "Norwegian 7T MR Center",
        NODE,
        "bildediagnostikk",
        "nevrovitenskap",
        description_nb="Nasjonal infrastruktur for nevrovitenskapelig forskning og node i NORBRAIN. Formålet er å gi "
        "forskere i Norge de nyeste verktøyene for høyoppløselig kartlegging av hjernens struktur og funksjon.",
        description_en="National infrastructure for neuroscience and a NORBRAIN node, giving researchers in Norway "
        "the newest tools for high-resolution structure-function mapping of the brain.",
        keywords="7T, MR, hjerneforskning",
        national_infrastructures=("norbrain",),
        resources=(
            _r(
                INSTRUMENT,
                "7T MR-skanner",
                "Ultrahøyfelts MR-skanner for hjerneforskning.",
                "Ultra-high-field MRI scanner for brain research.",
            ),
        ),
    ),
    _f(
        "ntnu",
        "Medisinsk simulatorsenter (Simulatorsenteret)",
        SIMULATION,
        "simulering",
        description_nb="Drives i samarbeid mellom St. Olavs hospital, NTNU og Helse Midt-Norge. Etablert i 2003 som "
        "landets første fullskala simuleringssenter, og kan simulere akutte medisinske situasjoner.",
        description_en="Run jointly by St. Olavs hospital, NTNU and Central Norway Regional Health Authority. "
        "Established in 2003 as Norway's first full-scale simulation centre; it can simulate acute medical situations.",
        keywords="fullskala simulering, akuttmedisin",
    ),
    _f(
        "ntnu",
        "Viral Vector Core (Kavli Institute for Systems Neuroscience)",
        CORE,
        "nevrovitenskap",
        "molekylaerbiologi",
        description_nb="Anlegg med kompetanse i å konstruere virus til forskningsformål. Tilbyr konsultasjon, design "
        "og konstruksjon av et bredt utvalg av virusvektorer.",
        description_en="Facility with expertise in constructing viruses for research. Offers consultation, design "
        "and construction of a wide range of viral vectors.",
        keywords="virusvektorer, AAV",
    ),
    _f(
        "ntnu",
        "Institutt for bioteknologi og matvitenskap – laboratorier",
        LAB,
        "kjemi",
        "medisinsk-mikrobiologi",
        description_nb="Utstyr og laboratorier til biokjemisk og mikrobiologisk forskning.",
        description_en="Equipment and laboratories for biochemical and microbiological research.",
    ),
    _f(
        "ntnu",
        "Institutt for bioingeniørfag – laboratorier",
        TEST_BED,
        "medisinsk-biokjemi",
        "medisinsk-teknologi",
        description_nb="Laboratorier egnet for testing og pilotering av produkter og løsninger innen medisinsk "
        "laboratoriediagnostikk.",
        description_en="Laboratories suited to testing and piloting products and solutions in medical laboratory "
        "diagnostics.",
    ),
]

UIB = [
    _f(
        "uib",
        "Dyreavdelingen",
        ANIMALS,
        "forsoksdyr",
        description_nb="Kjernefasilitet ved Klinisk institutt 1, akkreditert av AAALAC International.",
        description_en="Core facility at the Department of Clinical Medicine, accredited by AAALAC International.",
        accreditation="AAALAC International",
    ),
    _f("uib", "Flow og massecytometri", CORE, "flowcytometri"),
    _f("uib", "Genomics Core Facility", CORE, "genomikk"),
    _f("uib", "Metabolomics Core Facility", CORE, "metabolomikk"),
    _f(
        "uib",
        "Forskningsenhet for helseundersøkelser (FHU)",
        CLINICAL,
        "klinisk-forskning",
        description_nb="Samarbeid mellom Det medisinske fakultet, Haukeland universitetssykehus og Klinisk institutt "
        "2. Studerer friske personer og pasienter med lettere sykdomstilstander som ikke krever "
        "sykehusinfrastruktur: observasjons-, intervensjons-, befolknings- og longitudinelle studier og barnestudier.",
        description_en="Collaboration between the Faculty of Medicine, Haukeland University Hospital and the "
        "Department of Clinical Science. Studies healthy people and patients with mild conditions that need no "
        "hospital infrastructure: observational, interventional, population, longitudinal and paediatric studies.",
    ),
    _f(
        "uib",
        "The Proteomics Unit (PROBE)",
        CORE,
        "proteomikk",
        description_nb="Kjernefasilitet for storskala proteinanalyse ved bruk av massespektrometri, med ekspertise "
        "innen undersøkelsesdesign, prøveforberedelse, prøveanalyse og datatolkning.",
        description_en="Core facility for large-scale protein analysis by mass spectrometry, with expertise in study "
        "design, sample preparation, analysis and data interpretation.",
        keywords="massespektrometri, proteomikk",
        resources=(
            _r(
                INSTRUMENT,
                "Massespektrometer",
                "Massespektrometer for proteinanalyse.",
                "Mass spectrometer for protein analysis.",
            ),
            _r(
                SERVICE,
                "Proteomikkanalyse",
                "Analyse utført av fasilitetens personale, fra prøveforberedelse til datatolkning.",
                "Analysis by the facility's staff, from sample preparation to data interpretation.",
            ),
        ),
    ),
    _f(
        "uib",
        "The Molecular Imaging Centre (MIC)",
        CORE,
        "mikroskopi",
        "bildediagnostikk",
        description_nb="Kjernefasilitet for avansert subcellulær og cellulær avbildning og avbildning av smådyr. "
        "Åpen for alle forskere; har blant annet elektronmikroskop, bredfelt- og konfokalmikroskop, system for "
        "laser-mikrodisseksjon og utstyr for avbildning av smådyr (MRI, PET-CT og optisk avbildning).",
        description_en="Core facility for advanced subcellular and cellular imaging and small-animal imaging. Open to "
        "all researchers; instruments include electron microscopes, wide-field and confocal microscopes, laser "
        "microdissection and small-animal imaging (MRI, PET-CT and optical imaging).",
        keywords="konfokalmikroskopi, elektronmikroskopi, PET-CT, smådyr-MRI",
        resources=(
            _r(
                INSTRUMENT,
                "Konfokalmikroskop",
                "Konfokalmikroskop for cellulær avbildning.",
                "Confocal microscope for cellular imaging.",
            ),
            _r(INSTRUMENT, "PET-CT for smådyr", "PET-CT for avbildning av smådyr.", "PET-CT for small-animal imaging."),
        ),
    ),
    _f("uib", "Biostatistics and Data Analysis", CORE, "bioinformatikk"),
    _f("uib", "NMR-spektroskopi", CORE, "strukturbiologi", "kjemi", keywords="kjernemagnetisk resonans, NMR"),
]

UIT = [
    _f("uit", "Advanced Microscopy Core Facility", CORE, "mikroskopi"),
    _f("uit", "Anatomisk avdeling", LAB, "anatomi"),
    _f("uit", "Barents Biocentre Lab", LAB, "bioteknologi"),
    _f(
        "uit",
        "Kjernefasilitet for biobank – Helsefak",
        BIOBANK,
        "biobank",
        description_nb="Oppbevarer humant biologisk materiale samlet inn gjennom befolkningsundersøkelser og "
        "forskningsprosjekter. Opprettet i 2017 og fortsatt under oppbygging.",
        description_en="Stores human biological material collected in population surveys and research projects. "
        "Established in 2017 and still being built up.",
    ),
    _f("uit", "Bioinformatikksenter", CORE, "bioinformatikk"),
    _f("uit", "DNA-sekvensering", CORE, "genomikk"),
    _f("uit", "Elektronikkverksted", LAB, "verksted"),
    _f("uit", "Genomics Support Centre Tromsø", CORE, "genomikk"),
    _f(
        "uit",
        "Avdeling for komparativ medisin (AKM)",
        ANIMALS,
        "forsoksdyr",
        description_nb="Moderne fasiliteter for etisk og forsvarlig bruk av dyr i medisinsk forskning, godkjent for "
        "smågnagere, kanin, sau, gris, akvariefisk og frosk i biomedisinsk forskning.",
        description_en="Modern facilities for the ethical use of animals in medical research, approved for rodents, "
        "rabbits, sheep, pigs, aquarium fish and frogs in biomedical research.",
    ),
    _f("uit", "Mekanisk verksted", LAB, "verksted"),
    _f("uit", "NMR-lab", LAB, "strukturbiologi", "kjemi"),
    _f("uit", "The Norwegian Structural Biology Centre", CORE, "strukturbiologi"),
    _f("uit", "Preclinical PET/SPECT/CT", CORE, "bildediagnostikk", "forsoksdyr"),
    _f("uit", "Tromsø University Proteomics Platform", CORE, "proteomikk", keywords="massespektrometri"),
    _f(
        "uit",
        "EUTRO – forskningsdata i system",
        CORE,
        "helsedata",
        "biobank",
        description_nb="IT-løsning utviklet ved UiT som gir en komplett oversikt over studienes innsamlede "
        "forskningsmateriale: biologisk materiale, helsedata og prosjektinformasjon.",
        description_en="IT system developed at UiT that gives a complete overview of a study's collected research "
        "material: biological samples, health data and project information.",
    ),
    _f("uit", "Tromsøundersøkelsen", BIOBANK, "helsedata"),
    _f(
        "uit",
        "FOSS – Ferdighets- og simuleringssenteret",
        SIMULATION,
        "simulering",
        description_nb="Senter der studenter og ansatte trener kliniske ferdigheter gjennom komplekse kliniske "
        "simuleringsscenarioer. Ni rom for å øve på undersøkelser, prosedyrer og ferdigheter.",
        description_en="Centre where students and staff train clinical skills through complex clinical simulation "
        "scenarios. Nine rooms for practising examinations, procedures and skills.",
        resources=(
            _r(
                ROOM,
                "Simuleringsrom",
                "Rom for kliniske simuleringsscenarioer.",
                "Room for clinical simulation scenarios.",
            ),
        ),
    ),
    _f("uit", "Forskningslaboratorium, trening og helse", LAB, "bevegelse-idrett"),
]

UNN = [
    _f(
        "unn",
        "Forskningsbiobank UNN",
        BIOBANK,
        "biobank",
        description_nb="Partner i Biobank Norge. Tilbyr lagringsplass for langtidslagring av prøver og "
        "tilgjengeliggjøring av humant biologisk materiale til forskningsprosjekter, med EUTRO som database og "
        "sporingssystem.",
        description_en="Partner in Biobank Norway. Offers long-term storage of samples and makes human biological "
        "material available to research projects, using EUTRO for tracking.",
        national_infrastructures=("biobank-norge",),
    ),
    _f(
        "unn",
        "Forskningsposten",
        CLINICAL,
        "klinisk-forskning",
        description_nb="Kjernefasilitet som tilbyr hjelp til planlegging og praktisk tilrettelegging av "
        "forskningsprosjekter, prosjektadministrasjon, gjennomføring av kliniske studier og datainnsamling, "
        "prøvetaking og laboratoriearbeid.",
        description_en="Core facility that helps plan and organise research projects, with project administration, "
        "clinical studies and data collection, sampling and laboratory work.",
    ),
]

NMBU = [
    _f(
        "nmbu",
        "Imaging Centre",
        CORE,
        "mikroskopi",
        description_nb="Fasiliteter for avansert mikroskopi.",
        description_en="Facilities for advanced microscopy.",
    ),
    _f(
        "nmbu",
        "Centre for Integrative Genetics (CIGENE)",
        CORE,
        "genomikk",
        "bioinformatikk",
        description_nb="Fasiliteter for systembiologi, genomanalyser og sekvensering.",
        description_en="Facilities for systems biology, genome analysis and sequencing.",
    ),
    _f(
        "nmbu",
        "SEARCH – der humanmedisin og veterinærmedisin møtes",
        CORE,
        "veterinaermedisin",
        "medisinsk-mikrobiologi",
    ),
    _f(
        "nmbu",
        "Biospektroskopi og datamodellering",
        CORE,
        "kjemi",
        "bioinformatikk",
        description_nb="Avanserte fasiliteter for biospektroskopi, dataanalyse og datamodellering, med et "
        "biospektroskopilaboratorium for vibrasjonsspektroskopi og gasskromatografi og et mikrobiologilaboratorium.",
        description_en="Advanced facilities for biospectroscopy, data analysis and modelling, with a laboratory for "
        "vibrational spectroscopy and gas chromatography and a microbiology laboratory.",
        keywords="vibrasjonsspektroskopi, gasskromatografi",
    ),
    _f("nmbu", "Bakteriologisk laboratorium", LAB, "medisinsk-mikrobiologi", "veterinaermedisin"),
    _f("nmbu", "Medisinsk genetikk", LAB, "medisinsk-genetikk", "veterinaermedisin"),
    _f("nmbu", "Isotoplaboratorium", LAB, "kjemi"),
    _f("nmbu", "Kjemilaboratorium", LAB, "kjemi"),
    _f("nmbu", "Mikroskopilaboratorium", LAB, "mikroskopi"),
    _f("nmbu", "Parasittologisk laboratorium", LAB, "veterinaermedisin", "medisinsk-mikrobiologi"),
    _f("nmbu", "Viruslaboratorium", LAB, "medisinsk-mikrobiologi", "veterinaermedisin"),
    _f("nmbu", "Virtual Reality Laboratory (VR-Lab)", TEST_BED, "medisinsk-teknologi", keywords="VR"),
]

OSLOMET = [
    _f("oslomet", "Bevegelsesanalyselaboratorium", LAB, "bevegelse-idrett", "rehabilitering"),
    _f("oslomet", "Molekylærbiologisk laboratorium", LAB, "molekylaerbiologi"),
    _f("oslomet", "Røntgenlaboratorium", LAB, "radiografi"),
    _f("oslomet", "Transfusjonsmedisinsk og hematologisk laboratorium", LAB, "immunologi-transfusjonsmedisin"),
    _f("oslomet", "Patologilaboratorium", LAB, "patologi"),
    _f("oslomet", "Mikrobiologilaboratorium", LAB, "medisinsk-mikrobiologi"),
    _f("oslomet", "Klinisk kjemisk laboratorium", LAB, "medisinsk-biokjemi"),
    _f("oslomet", "Klinisk kjemisk laboratorium (måleteknikk)", LAB, "medisinsk-biokjemi", "medisinsk-teknologi"),
    _f("oslomet", "Forskningslaboratorium", LAB, "molekylaerbiologi"),
    _f("oslomet", "Kjemilaboratorium", LAB, "kjemi"),
    _f("oslomet", "Kjemi- og biokjemilaboratorium", LAB, "kjemi"),
    _f("oslomet", "Sterilrom", LAB, "kjemi", keywords="sterilrom, aseptisk arbeid"),
    _f("oslomet", "Galenisk laboratorium", LAB, "kjemi", "klinisk-farmakologi", keywords="legemiddelformulering"),
]

USN = [
    _f("usn", "Røntgenlab", LAB, "radiografi"),
    _f(
        "usn",
        "Simulerings- og ferdighetssenter",
        SIMULATION,
        "simulering",
        "e-helse",
        description_nb="Simulerings- og ferdighetssenter på 700 kvadratmeter ved campus Porsgrunn, med moderne utstyr "
        "innen smartteknologi og høyteknologiske dukker som via et kontrollrom kan programmeres til å ha ulike "
        "diagnoser.",
        description_en="A 700 square metre simulation and skills centre at campus Porsgrunn, with modern smart "
        "technology and high-tech manikins that can be programmed from a control room to present different "
        "diagnoses.",
        campus="Porsgrunn",
    ),
    _f("usn", "Innovasjonsleilighet", TEST_BED, "e-helse"),
    _f("usn", "Generell kjemisk lab", LAB, "kjemi"),
    _f("usn", "Instrumentell analyse-lab", LAB, "kjemi"),
    _f("usn", "Biogass-lab", LAB, "miljo-energi"),
    _f("usn", "CO2-lab", LAB, "miljo-energi"),
    _f(
        "usn",
        "MST-lab (renrom og karakteriseringslaboratorier)",
        LAB,
        "mikro-nanoteknologi",
        keywords="renrom, mikrosystemteknologi",
    ),
    _f("usn", "Idrettsfysiologisk testlaboratorium", LAB, "bevegelse-idrett"),
    _f("usn", "DNA-lab", LAB, "molekylaerbiologi"),
    _f("usn", "Bioteknologilab", LAB, "bioteknologi"),
    _f("usn", "Mikroskopieringslab", LAB, "mikroskopi"),
    _f("usn", "Kjemisk våtlab", LAB, "kjemi"),
    # Listed in the report under Høgskolen i Buskerud, which is now part of USN.
    _f("usn", "Innovasjonsleilighet Drammen", TEST_BED, "e-helse", city="Drammen", campus="Drammen"),
    _f("usn", "Røntgenlaboratorium Drammen", LAB, "radiografi", city="Drammen", campus="Drammen"),
    _f("usn", "Simuleringsrom Drammen", SIMULATION, "simulering", city="Drammen", campus="Drammen"),
]

HVL = [
    _f("hvl", "SimArena – laboratorium for radiografi", SIMULATION, "radiografi", "simulering"),
    _f("hvl", "SimArena – laboratorium for sykepleie", SIMULATION, "simulering"),
    _f("hvl", "SimArena – laboratorium for fysioterapi", SIMULATION, "rehabilitering", "simulering"),
    _f("hvl", "SimArena – laboratorium for ergoterapi", SIMULATION, "rehabilitering", "simulering"),
    _f("hvl", "SimArena – laboratorium for rehabilitering", SIMULATION, "rehabilitering", "simulering"),
    _f(
        "hvl",
        "E-helsearena",
        TEST_BED,
        "e-helse",
        description_nb="Arena for forskning, innovasjon og læring, et samarbeid mellom helse- og "
        "ingeniørutdanningene, organisert under Senter for omsorgsforskning. Tilknyttet et laboratorium på 250 "
        "kvadratmeter.",
        description_en="Arena for research, innovation and learning, a collaboration between the health and "
        "engineering programmes, organised under the Centre for Care Research, with a 250 square metre laboratory.",
    ),
    _f("hvl", "SimArena – laboratorium for kommunikasjon og rettleiing", SIMULATION, "simulering"),
]

UIA = [
    _f(
        "uia",
        "Senter for e-helse",
        TEST_BED,
        "e-helse",
        description_nb="Testsenter for e-helseløsninger, etablert i 2010, som driver innovasjonsdrevet forskning "
        "innen e-helsetjenester og legger til rette for samarbeid mellom næringsliv, helseaktører, kommunen, "
        "pasienter, pårørende og frivillige.",
        description_en="Test centre for e-health solutions, established in 2010, doing innovation-driven research "
        "on e-health services and bringing together industry, health services, the municipality, patients, "
        "relatives and volunteers.",
    ),
    _f("uia", "Boligsimulator", TEST_BED, "e-helse", keywords="velferdsteknologi, smarthus"),
    _f("uia", "Brukertestlaboratoriet", TEST_BED, "e-helse", keywords="brukertesting, usability"),
    _f(
        "uia",
        "I4Helse",
        TEST_BED,
        "e-helse",
        description_nb="Senter for innovasjon og tjenesteutvikling innen helse og omsorg, med hovedfokus på "
        "velferdsteknologi og avstandsoppfølging. Har laboratorier for simulering, testing og utvikling, blant annet "
        "boligsimulatorer, usability-lab og åpne laber.",
        description_en="Centre for innovation and service development in health and care, focused on welfare "
        "technology and remote follow-up, with labs for simulation, testing and development: home simulators, a "
        "usability lab and open labs.",
        city="Grimstad",
        campus="Campus Grimstad",
    ),
]

OTHER_COLLEGES = [
    _f(
        "uis",
        "HelseCampus Stavanger",
        TEST_BED,
        "simulering",
        "e-helse",
        description_nb="Samarbeid mellom UiS, Stavanger universitetssjukehus, SAFER, Stavanger kommune og NORCE. En "
        "arena for simuleringsbasert undervisning og læring og innovasjon rettet mot helse- og omsorgssektoren.",
        description_en="Collaboration between the University of Stavanger, Stavanger University Hospital, SAFER, "
        "Stavanger municipality and NORCE: an arena for simulation-based teaching and learning and for innovation "
        "in health and care.",
    ),
    _f(
        "nord",
        "Ferdighetslab (øvingsavdeling for sykepleiere)",
        SIMULATION,
        "simulering",
        description_nb="Ferdighetslab med avanserte SimMan 3G-simuleringsdukker og utstyr til å drifte en "
        "sykehusavdeling.",
        description_en="Skills lab with advanced SimMan 3G manikins and the equipment to run a hospital ward.",
    ),
    _f("inn", "Idrettsfysiologisk testlaboratorium", LAB, "bevegelse-idrett"),
    _f("inn", "Molekylærlaboratorium", LAB, "molekylaerbiologi"),
    _f("hiof", "IMTL – Idrettsmedisinsk testlaboratorium", LAB, "bevegelse-idrett"),
    _f("hiof", "Kjemilaboratorium", LAB, "kjemi"),
    _f("kristiania", "Anatomisk læringssenter", LAB, "anatomi"),
    _f("kristiania", "Fysiologisk testlab", LAB, "bevegelse-idrett"),
    _f("nih", "Arbeidsfysiologisk laboratorium", LAB, "bevegelse-idrett"),
    _f("nih", "Biomekanisk laboratorium", LAB, "bevegelse-idrett"),
    _f("nih", "Biokjemisk laboratorium", LAB, "kjemi", "bevegelse-idrett"),
    _f("nih", "Epigenetikklaboratorium", LAB, "molekylaerbiologi"),
    _f("nih", "Muskellaboratorium", LAB, "bevegelse-idrett"),
    _f("nih", "Styrkelaboratorium", LAB, "bevegelse-idrett"),
    _f("nih", "DXA-maskin", LAB, "bevegelse-idrett", "radiografi", keywords="DXA, kroppssammensetning"),
    _f("nih", "Høydefysiologisk laboratorium", LAB, "bevegelse-idrett"),
    _f("nih", "Respirasjonsfysiologisk laboratorium", LAB, "bevegelse-idrett", "klinisk-fysiologi"),
    _f("nih", "Feltlaboratorium", LAB, "bevegelse-idrett"),
    _f("himolde", "Simuleringslaboratorium for sykepleie", SIMULATION, "simulering"),
]

CLUSTERS = [
    _f(
        "oslo-cancer-cluster",
        "OCC Incubator – spesiallab",
        LAB,
        "inkubator",
        "bioteknologi",
        description_nb="Gjennom Oslo Cancer Cluster Incubator og OCC Innovasjonspark kan biotech-selskaper leie "
        "laboratorier for testing, pilotering og utvikling. Laboratoriene leies fortrinnsvis ut til medlemmer av "
        "OCC; ved ledig kapasitet også til andre bedrifter.",
        description_en="Through Oslo Cancer Cluster Incubator and OCC Innovation Park, biotech companies can rent "
        "laboratories for testing, piloting and development, preferably members of OCC and, when there is spare "
        "capacity, other companies.",
    ),
    _f(
        "oslo-cancer-cluster",
        "OCC Incubator – analyselab",
        LAB,
        "inkubator",
        "bioteknologi",
        description_nb="Analyselaboratorium i Oslo Cancer Cluster Incubator. Enkelte typer utstyr må bookes før bruk, "
        "mens annet kan brukes fritt av alle med tilgang til laben.",
        description_en="Analysis laboratory in Oslo Cancer Cluster Incubator. Some equipment must be booked before "
        "use, the rest can be used freely by everyone with access to the lab.",
    ),
    _f(
        "sharelab",
        "ShareLab",
        LAB,
        "inkubator",
        "bioteknologi",
        description_nb="Delingslaboratorium for biotech-selskaper, rettet mot oppstartsselskaper, åpnet i Oslo i "
        "2018. Gir medlemmene tilgang til en bemannet lab med 24 utstyrte laboratorieplasser og rom med spesielle "
        "funksjoner, for eksempel rom til celledyrking.",
        description_en="Shared laboratory for biotech start-ups, opened in Oslo in 2018. Members get a staffed lab "
        "with 24 equipped bench places and special-purpose rooms, such as a cell culture room.",
    ),
    _f(
        "norwegian-smart-care-cluster",
        "Norwegian Smart Care Lab",
        TEST_BED,
        "e-helse",
        description_nb="Nasjonalt testsenter som bistår selskaper fra idé til marked: idé- og utviklingsfase, "
        "pilotering, sertifisering og godkjenning og implementering, og hjelper bedrifter med å teste og tilpasse "
        "produktene sine til gjeldende standarder og regler.",
        description_en="National test centre helping companies from idea to market: ideas and development, "
        "piloting, certification and approval, and implementation, testing and adapting products to standards and "
        "regulations.",
    ),
    _f(
        "norway-health-tech",
        "Norsk helsekatapult – testarena (forprosjekt)",
        TEST_BED,
        "medisinsk-teknologi",
        "e-helse",
        description_nb="Forprosjekt sammen med Oslo Cancer Cluster Incubator og Norwegian Smart Care Cluster om en "
        "testarena som utnytter eksisterende utstyr og fasiliteter for prototyper, testing, verifisering, "
        "visualisering og simulering.",
        description_en="Pre-project with Oslo Cancer Cluster Incubator and Norwegian Smart Care Cluster for a test "
        "arena that uses existing equipment and facilities for prototypes, testing, verification, visualisation and "
        "simulation.",
    ),
]

# --- Table A-1: the health trusts' laboratories -----------------------------------------------------------------

# The six fields in the order of the table's columns (see the module docstring).
HOSPITAL_FIELDS: list[tuple[str, str]] = [
    ("medisinsk-biokjemi", "Laboratorium for medisinsk biokjemi"),
    ("immunologi-transfusjonsmedisin", "Laboratorium for immunologi og transfusjonsmedisin"),
    ("medisinsk-mikrobiologi", "Laboratorium for medisinsk mikrobiologi"),
    ("patologi", "Laboratorium for patologi"),
    ("medisinsk-genetikk", "Laboratorium for medisinsk genetikk"),
    ("klinisk-farmakologi", "Laboratorium for klinisk farmakologi"),
]

# institution slug: (columns marked, special laboratories as (name, categories))
TABLE_A1: dict[str, tuple[tuple[int, ...], tuple[tuple[str, tuple[str, ...]], ...]]] = {
    "helse-forde": ((1,), (("Hormonlaboratorium", ("hormonanalyser",)),)),
    "helse-bergen": ((1, 2, 3, 4, 5), ()),
    "helse-fonna": ((1, 2, 3, 4), ()),
    "helse-stavanger": ((1, 2, 3, 4), ()),
    "helse-more-og-romsdal": ((1, 3, 4), ()),
    "st-olavs-hospital": ((1, 2, 3, 4, 5, 6), ()),
    "helse-nord-trondelag": ((1, 3), ()),
    "helgelandssykehuset": (
        (),
        (
            (
                "Laboratorium for analyse av prøver fra blod, urin, spinalvæske og andre biologiske materialer",
                ("medisinsk-biokjemi",),
            ),
        ),
    ),
    "finnmarkssykehuset": ((1,), ()),
    "nordlandssykehuset": ((1, 2, 3, 4, 5, 6), ()),
    "unn": ((1, 2, 3, 4, 5, 6), (("Miljøgiftlaboratorium", ("miljogifter",)),)),
    "ahus": ((1, 2, 3, 4), (("Laboratorium for biopsi og cytologi", ("patologi",)),)),
    "ous": (
        (1, 2, 3, 4, 5, 6),
        (
            ("Hormonlaboratorium", ("hormonanalyser",)),
            ("Rettstoksikologisk laboratorium", ("rusmiddel-rettsmedisin",)),
        ),
    ),
    "sykehuset-i-vestfold": ((1, 3, 4), ()),
    "sykehuset-innlandet": ((1, 2, 3, 4), (("Rusmiddellaboratorium", ("rusmiddel-rettsmedisin",)),)),
    "sykehuset-telemark": ((1, 6), (("Serologisk laboratorium", ("medisinsk-mikrobiologi",)),)),
    "sykehuset-ostfold": ((1, 2, 3, 4), (("Laboratorium for rusmiddeltesting", ("rusmiddel-rettsmedisin",)),)),
    "sorlandet-sykehus": ((1, 2, 3, 4), ()),
    "vestre-viken": ((2, 3, 5), ()),
    "sunnaas": (
        (),
        (
            ("Bevegelseslaboratorium", ("bevegelse-idrett", "rehabilitering")),
            ("Klinisk fysiologisk laboratorium", ("klinisk-fysiologi",)),
            ("Urodynamisk laboratorium", ("klinisk-fysiologi", "rehabilitering")),
        ),
    ),
}

# The university hospitals, whose clinical research units make up NorCRIN (report 3.2.5). St. Olavs hospital's
# unit is Klinisk forskningsenhet Midt-Norge, listed among NTNU's core facilities above.
UNIVERSITY_HOSPITALS = ("ahus", "ous", "helse-stavanger", "helse-bergen", "unn")


def _hospital_laboratories() -> list[FacilityRecord]:
    facilities = []
    for institution, (columns, special) in TABLE_A1.items():
        for column in columns:
            category, name_nb = HOSPITAL_FIELDS[column - 1]
            facilities.append(_f(institution, name_nb, LAB, category))
        for name, categories in special:
            facilities.append(_f(institution, name, LAB, *categories))
    for institution in UNIVERSITY_HOSPITALS:
        facilities.append(
            _f(
                institution,
                "Klinisk forskningsenhet (NorCRIN)",
                CLINICAL,
                "klinisk-forskning",
                description_nb="Klinisk forskningsenhet ved universitetssykehuset, del av NorCRIN, som tilbyr et "
                "rammeverk for kliniske studier, monitorering, kurs i god klinisk praksis og datahåndtering. "
                "Tilgjengelig også for helseindustrien.",
                description_en="Clinical research unit at the university hospital, part of NorCRIN, which offers a "
                "framework for clinical trials, monitoring, good clinical practice courses and data management. "
                "Also available to the health industry.",
                national_infrastructures=("norcrin",),
            )
        )
    return facilities


FACILITIES: list[FacilityRecord] = [
    *UIO,
    *OUS,
    *NTNU,
    *UIB,
    *UIT,
    *UNN,
    *NMBU,
    *OSLOMET,
    *USN,
    *HVL,
    *UIA,
    *OTHER_COLLEGES,
    *CLUSTERS,
    *_hospital_laboratories(),
]

# Institutions whose every demo facility gets at least one resource (the booking journeys run there).
INSTITUTIONS_WITH_RESOURCES = ("uio", "ntnu", "uib", "uit")

# Facilities each demo manager keeps (by institution slug and facility name); all have resources.
DEMO_MANAGED_FACILITIES: dict[str, tuple[str, ...]] = {
    "uio": ("To-foton mikroskopi (NORBRAIN-node)", "Translasjonell MRI nevroimaging", "Flowcytometri"),
    "ntnu": ("Norwegian 7T MR Center", "Genomics Core Facility (GCF)", "Fremtidens operasjonsrom (FOR)"),
    "uib": ("The Molecular Imaging Centre (MIC)", "The Proteomics Unit (PROBE)"),
}

DEMO_COMPANY = {"company_name": "Demo Helse AS", "org_number": "988077917"}

# Fictional people for the contact persons: clearly made-up surnames.
FIRST_NAMES = ("Kari", "Ola", "Ingrid", "Per", "Sigrid", "Lars", "Astrid", "Nils", "Marit", "Bjørn", "Hanne", "Erik")
LAST_NAMES = ("Eksempelsen", "Demosen", "Prøvesen", "Testesen", "Fiktivsen", "Oppdiktet")


# A typical instrument for a core facility, by its first field: (Bokmål, English).
TYPICAL_INSTRUMENTS: dict[str, tuple[str, str]] = {
    "mikroskopi": ("Mikroskop", "Microscope"),
    "genomikk": ("Sekvenseringsinstrument", "Sequencing instrument"),
    "proteomikk": ("Massespektrometer", "Mass spectrometer"),
    "metabolomikk": ("Massespektrometer for metabolomikk", "Mass spectrometer for metabolomics"),
    "flowcytometri": ("Flowcytometer", "Flow cytometer"),
    "bildediagnostikk": ("Avbildningsinstrument", "Imaging instrument"),
    "strukturbiologi": ("Instrument for strukturanalyse", "Instrument for structural analysis"),
    "legemiddelscreening": ("Screeningrobot", "Screening robot"),
    "bevegelse-idrett": ("Testutstyr for fysiologi", "Physiology test equipment"),
    "nevrovitenskap": ("Elektrofysiologisk rigg", "Electrophysiology rig"),
}


def typical_resources(record: FacilityRecord) -> tuple[ResourceRecord, ...]:
    """Generic resources for a facility the report names without listing its equipment."""
    service = _r(
        SERVICE,
        "Analyse utført av personalet",
        "Analyser og oppdrag utført av fasilitetens personale.",
        "Analyses and assignments performed by the facility's staff.",
    )
    if record.kind in (CORE, NODE):
        nb, en = next(
            (TYPICAL_INSTRUMENTS[slug] for slug in record.categories if slug in TYPICAL_INSTRUMENTS),
            ("Laboratorieinstrument", "Laboratory instrument"),
        )
        return (
            _r(INSTRUMENT, nb, f"{nb} som kvalifiserte brukere kan booke.", f"{en} that qualified users can book."),
            service,
        )
    if record.kind == ANIMALS:
        return (
            _r(ROOM, "Prosedyrerom", "Rom for prosedyrer på forsøksdyr.", "Room for procedures on laboratory animals."),
            _r(
                SERVICE,
                "Oppstalling og stell",
                "Oppstalling og stell av dyr utført av personalet.",
                "Housing and care of animals by the staff.",
            ),
        )
    if record.kind == SIMULATION:
        return (_r(ROOM, "Simuleringsrom", "Rom for simuleringstrening.", "Room for simulation training."),)
    if record.kind == TEST_BED:
        return (
            _r(
                ROOM,
                "Testrom",
                "Rom for testing og pilotering av løsninger.",
                "Room for testing and piloting solutions.",
            ),
        )
    if record.kind == CLINICAL:
        return (
            _r(
                ROOM,
                "Undersøkelsesrom",
                "Rom for studiebesøk og undersøkelser.",
                "Room for study visits and examinations.",
            ),
            _r(
                SERVICE,
                "Studiestøtte",
                "Hjelp til planlegging og gjennomføring av kliniske studier.",
                "Help with planning and running clinical studies.",
            ),
        )
    if record.kind == BIOBANK:
        return (
            _r(
                SERVICE,
                "Lagring og utlevering av prøver",
                "Lagring og utlevering av biologisk materiale.",
                "Storage and release of biological material.",
            ),
        )
    return (
        _r(
            ROOM,
            "Laboratorieplass",
            "Arbeidsplass i laboratoriet for egne forsøk etter opplæring.",
            "Bench space in the laboratory for your own experiments after training.",
        ),
        service,
    )
