"""Reads for the catalogue: the published register, search, facets and freshness."""

import datetime
import re
from collections import Counter, defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import get_language

from catalogue import roles
from catalogue.choices import AccessModel, FacilityKind, PublicationStatus, Region
from catalogue.models import Category, ContactPerson, Facility, Institution, Resource
from catalogue.search import SEARCH_COLUMNS, SEARCH_CONFIG, EqualsAny


def facility_list_queryset() -> QuerySet[Facility]:
    """Facilities with everything a list row shows, fetched in a constant number of queries (without the stored
    search columns, which only the database reads: they are as long as the texts)."""
    return (
        Facility.objects.defer(*SEARCH_COLUMNS)
        .select_related("institution")
        .prefetch_related(
            Prefetch("categories", queryset=Category.objects.order_by("name_nb")),
            Prefetch("contacts", queryset=ContactPerson.objects.order_by("-is_primary", "name")),
        )
    )


def facility_detail_queryset() -> QuerySet[Facility]:
    return facility_list_queryset().prefetch_related(
        Prefetch("resources", queryset=Resource.objects.filter(is_active=True).order_by("name")),
        "national_infrastructures",
    )


def published_facilities() -> QuerySet[Facility]:
    return facility_list_queryset().filter(status=PublicationStatus.PUBLISHED)


def visible_facilities(user) -> QuerySet[Facility]:
    """Published facilities, plus the drafts the user keeps (see policies.can_view_facility)."""
    queryset = facility_list_queryset()
    if roles.is_platform_admin(user):
        return queryset
    managed = roles.managed_facility_ids(user)
    return queryset.filter(Q(status=PublicationStatus.PUBLISHED) | Q(id__in=managed))


def facility_search(queryset: QuerySet[Facility], text: str) -> QuerySet[Facility]:
    """Full-text search over name, keywords, descriptions and research fields, with substrings inside compounds.

    On PostgreSQL: the stored, GIN-indexed Norwegian text-search vector (catalogue.search) stems both document
    and query, and every query word is also matched as a prefix, so "mikroskop" finds "mikroskopi" and
    "cellekultur" finds "cellekulturer"; results are ranked (name before keywords before description). The
    stemmer does not split Norwegian compounds ("lysmikroskopi"), so facilities whose text contains every word
    as a substring match too, served by the trigram index. A facility also matches when one of its research
    fields does (by the same stemming, or containing every word). The three conditions are index scans (GIN,
    trigram GIN, primary key) that PostgreSQL ORs into one bitmap; nothing is computed per facility row but the
    rank of the matches.
    On SQLite (no text search): every word occurs in the facility's text or in one of its research fields.
    """
    words = re.findall(r"\w+", (text or "").lower())
    if not words:
        return queryset
    if not settings.DATABASE_IS_POSTGRES:
        return queryset.filter(
            *[Q(search_text__contains=word) | Q(id__in=_facilities_in_fields(word)) for word in words]
        )

    from django.contrib.postgres.expressions import ArraySubquery
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    query = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG)
    # Research fields are few (tens): their vectors are computed on the fly, and the ids of their facilities are
    # gathered once (an InitPlan), so that all three conditions are index scans OR-ed into one bitmap.
    fields = Category.objects.annotate(document=SearchVector("name_nb", "name_en", config=SEARCH_CONFIG)).filter(
        Q(document=query) | Q(*[Q(name_nb__icontains=word) | Q(name_en__icontains=word) for word in words])
    )
    field_hits = Facility.categories.through.objects.filter(category__in=fields).order_by().values("facility_id")
    return (
        queryset.filter(
            Q(search_vector=query)
            | Q(*[Q(search_text__contains=word) for word in words])
            | EqualsAny(F("id"), ArraySubquery(field_hits))
        )
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", "name")
    )


# Words of a free text worth searching for: long enough to carry meaning ("prøver" yes, "med" no), at most this many.
SUGGESTION_MIN_WORD_LENGTH = 5
SUGGESTION_MAX_WORDS = 12


def facility_suggestions(text: str, *, limit: int = 8) -> list[Facility]:
    """Published facilities that fit a free text (a company's request), best first, for the screener's picker.

    Each word of the text goes through the register's own search (facility_search: Norwegian stemming and
    prefixes on PostgreSQL, substrings inside compounds), and a facility scores by the words it matches, a rare
    word counting more than a common one ("flowcytometri" more than "prøver"). One query per word, at most
    SUGGESTION_MAX_WORDS.
    """
    words = sorted({word for word in re.findall(r"\w+", (text or "").lower()) if len(word) >= SUGGESTION_MIN_WORD_LENGTH
                    and not word.isdigit()})[:SUGGESTION_MAX_WORDS]  # fmt: skip
    published = published_facilities()
    scores: dict[int, float] = defaultdict(float)
    for word in words:
        hits = list(facility_search(published, word).values_list("id", flat=True)[:100])
        for facility_id in hits:
            scores[facility_id] += 1 / len(hits)
    best = sorted(scores, key=lambda facility_id: -scores[facility_id])[:limit]
    facilities = published.filter(id__in=best).select_related("institution").in_bulk()
    return [facilities[facility_id] for facility_id in best if facility_id in facilities]


def _facilities_in_fields(word: str) -> QuerySet:
    """Ids of the facilities with a research field whose name contains `word`."""
    fields = Category.objects.filter(Q(name_nb__icontains=word) | Q(name_en__icontains=word))
    return Facility.categories.through.objects.filter(category__in=fields).values("facility_id")


# PostgreSQL's cost of a random page read while it runs a search (facility_result_ids).
SEARCH_RANDOM_PAGE_COST = 1.1


def facility_result_ids(queryset: QuerySet[Facility], *, text: str = "") -> list[int]:
    """The ids of every facility of a result set, in its order (best match first), in one query.

    A search page needs the results three ways: how many, their facets and one page of them. Each read of the
    queryset would run the search again (on PostgreSQL the text-search, trigram and research-field conditions,
    and the rank of every match); reading the ids once lets the count, the facets (facility_facets_of) and the
    page (facilities_in_order) look the rest up by primary key. `text` is what was searched for (facility_search),
    if anything.
    """
    ids = queryset.values_list("id", flat=True)
    if not settings.DATABASE_IS_POSTGRES or not re.search(r"\w", text or ""):
        return list(dict.fromkeys(ids))  # a join on a filter may repeat a facility
    # PostgreSQL's default cost model reads a common word's matches (a fifth of the register for "mikroskop") more
    # cheaply by scanning the table than through the indexes, as if each row's condition cost next to nothing; but
    # for every row the scan matches a vector of some 1 KB and a LIKE over a text as long, which takes three times
    # the index plan. With the cost of a page read as it is when the register sits in memory (1.1, the usual value
    # for data in RAM or on SSD) the planner picks the index plan for such words too, and still scans the table when
    # nearly every row matches. Set for this statement's transaction only.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL random_page_cost = {SEARCH_RANDOM_PAGE_COST}")
        return list(dict.fromkeys(ids))


def facilities_in_order(ids) -> list[Facility]:
    """The facilities with these ids, in the order given, with everything a result row shows, in three queries: the
    facilities with their institution, their research fields and their contacts. The fields and contacts come as
    plain lists (read them with research_fields_of and contacts_of), gathered here from one query each rather than
    by prefetching related managers, for which Django builds a query set per row and relation that a page of
    results never runs."""
    ids = list(ids)
    if not ids:
        return []
    found = Facility.objects.defer(*SEARCH_COLUMNS, *UNLISTED_COLUMNS).select_related("institution").in_bulk(ids)
    fields: dict[int, list[Category]] = {facility_id: [] for facility_id in found}
    for link in (
        Facility.categories.through.objects.filter(facility_id__in=found)
        .select_related("category")
        .order_by("category__name_nb", "category_id")
    ):
        fields[link.facility_id].append(link.category)
    contacts: dict[int, list[ContactPerson]] = {facility_id: [] for facility_id in found}
    for contact in ContactPerson.objects.filter(facility_id__in=found).order_by("-is_primary", "name"):
        contacts[contact.facility_id].append(contact)
    for facility_id, facility in found.items():
        setattr(facility, LISTED_FIELDS, fields[facility_id])
        setattr(facility, LISTED_CONTACTS, contacts[facility_id])
    return [found[facility_id] for facility_id in ids if facility_id in found]


# What no result row shows (a row that read one would cost a query: the tests of the query budget would fail).
UNLISTED_COLUMNS = (
    "created_at",
    "updated_at",
    "freshness_reminder_sent_on",
    "institution__industry_access_nb",
    "institution__industry_access_en",
)
# Where facilities_in_order leaves each facility's research fields and contacts.
LISTED_FIELDS = "listed_research_fields"
LISTED_CONTACTS = "listed_contacts"


def research_fields_of(facility: Facility) -> list[Category]:
    """The facility's research fields by Bokmål name, from those already read when they are there."""
    listed = getattr(facility, LISTED_FIELDS, None)
    return listed if listed is not None else list(facility.categories.all())


def contacts_of(facility: Facility) -> list[ContactPerson]:
    """The facility's contact persons, the primary one first, from those already read when they are there."""
    listed = getattr(facility, LISTED_CONTACTS, None)
    return listed if listed is not None else list(facility.contacts.all())


def facility_facets(queryset: QuerySet[Facility]) -> dict[str, list[dict]]:
    """Counts per institution, region, city, kind, category, access model and openness for a result set."""
    return facility_facets_of(facility_result_ids(queryset))


def _ids_in(field: str, ids: list[int]) -> Q | EqualsAny:
    """On PostgreSQL `field = ANY(%s::bigint[])` with the ids as one parameter (_id_array): a statement of the same
    size for 5 ids or 5,000, answered by the key's index or a scan that reads no search column. Elsewhere
    `field IN (...)`."""
    if not settings.DATABASE_IS_POSTGRES:
        return Q(**{f"{field}__in": list(ids)})
    return EqualsAny(F(field), RawSQL("%s::bigint[]", [_id_array(ids)], output_field=BigIntegerField()))


def _id_array(ids) -> str:
    """Ids as PostgreSQL's text form of an array (`{4,8,15}`): one string to send and parse, where a list would be
    adapted id by id in Python (some 10 ms for the whole register's 5,000)."""
    return "{" + ",".join(str(int(facility_id)) for facility_id in ids) + "}"


def facility_facets_of(ids: list[int]) -> dict[str, list[dict]]:
    """The facets of the facilities with these ids (a result set read by facility_result_ids), in two grouped
    queries, however many facets: one counts the facilities per institution, region, city, kind, access model and
    openness (_facet_counts), the other per research field. Neither runs the search again."""
    if not ids:
        return {name: [] for name in FACET_NAMES}
    institutions, regions, cities, kinds, access, open_count = _facet_counts(ids)
    categories = (
        Facility.categories.through.objects.filter(_ids_in("facility_id", ids))
        .values(slug=F("category__slug"), name_nb=F("category__name_nb"), name_en=F("category__name_en"))
        .annotate(count=Count("facility_id", distinct=True))
        .order_by("name_nb")
    )
    region_labels = dict(Region.choices)
    kind_labels = dict(FacilityKind.choices)
    english = _is_english()
    return {
        "institution": sorted(institutions.values(), key=lambda option: option["label"]),
        "region": [
            {"value": region, "label": region_labels.get(region, region), "count": regions[region]}
            for region in sorted(regions, key=lambda region: (region not in region_labels, region))
        ],
        "city": [{"value": city, "label": city, "count": cities[city]} for city in sorted(cities)],
        "kind": [{"value": kind, "label": kind_labels.get(kind), "count": kinds[kind]} for kind in sorted(kinds)],
        "category": [
            {
                "value": row["slug"],
                "label": (row["name_en"] if english and row["name_en"] else row["name_nb"]),
                "count": row["count"],
            }
            for row in categories
        ],
        "access_model": [
            {"value": model.value, "label": model.label, "count": access[model.value]}
            for model in AccessModel
            if access[model.value]
        ],
        "open_to_industry": [{"value": "true", "label": None, "count": open_count}] if open_count else [],
    }


FACET_NAMES = ("institution", "region", "city", "kind", "category", "access_model", "open_to_industry")


# On PostgreSQL one pass over the results counts them per facet: a grouping set per facet, so that the answer has a
# row per facet value (some hundred), not one per combination of values (some five hundred for a common word).
_FACET_COUNTS_SQL = """
SELECT GROUPING(f.institution_id, i.region, f.city, f.kind, f.open_to_industry, f.offers_rental, f.offers_service,
                f.offers_commissioned, f.offers_collaboration) AS grouping,
       i.slug, i.name, i.region, f.city, f.kind, f.open_to_industry, f.offers_rental, f.offers_service,
       f.offers_commissioned, f.offers_collaboration, count(*)
FROM catalogue_facility f JOIN catalogue_institution i ON i.id = f.institution_id
WHERE f.id = ANY(%s::bigint[])
GROUP BY GROUPING SETS ((f.institution_id, i.slug, i.name), (i.region), (f.city), (f.kind), (f.open_to_industry),
                        (f.offers_rental), (f.offers_service), (f.offers_commissioned), (f.offers_collaboration))
"""
# GROUPING(...) sets a bit for each column a row is not grouped by, the first column's bit the highest: a row of
# the set that groups by column k alone has every bit but that column's.
_FACET_SETS = ("institution", "region", "city", "kind", "open_to_industry", *Facility.ACCESS_MODEL_FIELDS.values())
_FACET_SET_OF_GROUPING = {
    (1 << len(_FACET_SETS)) - 1 - (1 << (len(_FACET_SETS) - 1 - index)): name for index, name in enumerate(_FACET_SETS)
}


def _facet_counts(ids: list[int]) -> tuple[dict[str, dict], Counter, Counter, Counter, Counter, int]:
    """How many of the facilities with these ids there are per institution (slug, with its name), region, city,
    kind and access model, and how many are open to industry."""
    institutions: dict[str, dict] = {}
    regions: Counter = Counter()
    cities: Counter = Counter()
    kinds: Counter = Counter()
    access: Counter = Counter()
    open_count = 0
    model_of_field = {field: model.value for model, field in Facility.ACCESS_MODEL_FIELDS.items()}
    if settings.DATABASE_IS_POSTGRES:
        with connection.cursor() as cursor:
            cursor.execute(_FACET_COUNTS_SQL, [_id_array(ids)])
            rows = cursor.fetchall()
        for grouping, slug, name, region, city, kind, open_to_industry, *offers, count in rows:
            facet = _FACET_SET_OF_GROUPING[grouping]
            if facet == "institution":
                institutions[slug] = {"value": slug, "label": name, "count": count}
            elif facet == "region":
                if region:
                    regions[region] += count
            elif facet == "city":
                cities[city] += count
            elif facet == "kind":
                kinds[kind] += count
            elif facet == "open_to_industry":
                if open_to_industry:
                    open_count += count
            elif offers[_FACET_SETS.index(facet) - 5]:
                access[model_of_field[facet]] += count
        return institutions, regions, cities, kinds, access, open_count
    # Elsewhere (SQLite has no grouping sets): the facilities per combination of the facets' values, added up here.
    combinations = (
        Facility.objects.filter(_ids_in("id", ids))
        .values(
            "institution__slug",
            "institution__name",
            "institution__region",
            "city",
            "kind",
            "open_to_industry",
            *model_of_field,
        )
        .annotate(count=Count("id"))
        .order_by()
    )
    for row in combinations:
        count = row["count"]
        institution = institutions.setdefault(
            row["institution__slug"], {"value": row["institution__slug"], "label": row["institution__name"], "count": 0}
        )
        institution["count"] += count
        if row["institution__region"]:
            regions[row["institution__region"]] += count
        cities[row["city"]] += count
        kinds[row["kind"]] += count
        for field, model in model_of_field.items():
            if row[field]:
                access[model] += count
        if row["open_to_industry"]:
            open_count += count
    return institutions, regions, cities, kinds, access, open_count


def _is_english() -> bool:
    return (get_language() or "nb").startswith("en")


def stale_before(today: datetime.date | None = None) -> datetime.date:
    """Entries last verified before this date are possibly outdated."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=settings.CATALOGUE_STALE_AFTER_DAYS)


def facility_is_stale(facility: Facility, today: datetime.date | None = None) -> bool:
    """Never verified, or not verified for CATALOGUE_STALE_AFTER_DAYS days."""
    return facility.last_verified is None or facility.last_verified < stale_before(today)


def stale_published_facilities(today: datetime.date | None = None) -> QuerySet[Facility]:
    return Facility.objects.filter(status=PublicationStatus.PUBLISHED).filter(
        Q(last_verified__isnull=True) | Q(last_verified__lt=stale_before(today))
    )


def primary_contact(facility: Facility) -> ContactPerson | None:
    """The primary contact person, from the prefetched contacts when they are there."""
    for contact in contacts_of(facility):
        if contact.is_primary:
            return contact
    return None


def institutions_with_counts() -> QuerySet[Institution]:
    return Institution.objects.annotate(
        published_count=Count("facilities", filter=Q(facilities__status=PublicationStatus.PUBLISHED))
    ).order_by("name")


def managed_facilities(user) -> QuerySet[Facility]:
    """Facilities the user keeps, as manager, institution admin or platform admin."""
    return facility_list_queryset().filter(id__in=roles.managed_facility_ids(user)).order_by("name")


def resource_list_queryset() -> QuerySet[Resource]:
    return Resource.objects.select_related("facility", "facility__institution").filter(is_active=True)


def published_resources() -> QuerySet[Resource]:
    return resource_list_queryset().filter(facility__status=PublicationStatus.PUBLISHED)


def institutions_administered_by(user) -> QuerySet[Institution]:
    """Institutions where the user may create facilities (institution admin; platform admins: all)."""
    if roles.is_platform_admin(user):
        return Institution.objects.order_by("name")
    return Institution.objects.filter(id__in=roles.admin_institution_ids(user)).order_by("name")


def facility_json_ld(facility: Facility, url: str) -> dict:
    """schema.org description of a facility page, so search engines can index the register."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": facility.name,
        "url": url,
        "description": facility.description,
        "address": {"@type": "PostalAddress", "addressLocality": facility.city, "addressCountry": "NO"},
        "parentOrganization": {
            "@type": "CollegeOrUniversity" if facility.institution.kind == "university" else "Organization",
            "name": facility.institution.name,
        },
    }
    if facility.web_address:
        data["sameAs"] = facility.web_address
    if facility.keywords:
        data["keywords"] = facility.keywords
    categories = [category.name for category in facility.categories.all()]
    if categories:
        data["knowsAbout"] = categories
    contact = primary_contact(facility)
    if contact:
        data["contactPoint"] = {
            "@type": "ContactPoint",
            "name": contact.name,
            "email": contact.email,
            "telephone": contact.phone,
            "contactType": contact.role or "customer support",
        }
    return data
