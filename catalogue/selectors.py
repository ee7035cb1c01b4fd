"""Reads for the catalogue: the published register, search, facets and freshness."""

import datetime
import re
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from catalogue import roles
from catalogue.choices import AccessModel, FacilityKind, PublicationStatus, Region
from catalogue.models import Category, ContactPerson, Facility, Institution, Resource

SEARCH_CONFIG = "norwegian"


def facility_list_queryset() -> QuerySet[Facility]:
    """Facilities with everything a list row shows, fetched in a constant number of queries."""
    return Facility.objects.select_related("institution").prefetch_related(
        Prefetch("categories", queryset=Category.objects.order_by("name_nb")),
        Prefetch("contacts", queryset=ContactPerson.objects.order_by("-is_primary", "name")),
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


def _substring_match(words: list[str]) -> Q:
    """Every word occurs somewhere in the facility's text (also inside compounds such as "lysmikroskopi")."""
    condition = Q()
    for word in words:
        condition &= Q(
            id__in=Facility.objects.filter(
                Q(name__icontains=word)
                | Q(keywords__icontains=word)
                | Q(description_nb__icontains=word)
                | Q(description_en__icontains=word)
                | Q(categories__name_nb__icontains=word)
                | Q(categories__name_en__icontains=word)
            ).values("id")
        )
    return condition


def facility_search(queryset: QuerySet[Facility], text: str) -> QuerySet[Facility]:
    """Full-text search over name, descriptions, keywords and categories.

    On PostgreSQL: the Norwegian text search configuration stems both document and query, and every query word
    is also matched as a prefix, so "mikroskop" finds "mikroskopi" and "cellekultur" finds "cellekulturer";
    results are ranked (name before keywords before description). Norwegian compounds ("lysmikroskopi") are
    not split by the stemmer, so a plain substring match is added. On SQLite: the substring match alone.
    """
    words = re.findall(r"\w+", (text or "").lower())
    if not words:
        return queryset
    if not settings.DATABASE_IS_POSTGRES:
        return queryset.filter(_substring_match(words))

    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = (
        SearchVector("name", weight="A", config=SEARCH_CONFIG)
        + SearchVector("keywords", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description_nb", weight="C", config=SEARCH_CONFIG)
        + SearchVector("description_en", weight="C", config=SEARCH_CONFIG)
    )
    query = SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config=SEARCH_CONFIG)
    # Categories are matched in a subquery so that the many-to-many join cannot duplicate rows.
    category_hits = Category.objects.annotate(document=SearchVector("name_nb", "name_en", config=SEARCH_CONFIG)).filter(
        document=query
    )
    text_hits = Facility.objects.annotate(document=vector).filter(document=query).values("id")
    category_facilities = Facility.objects.filter(categories__in=category_hits).values("id")
    return (
        queryset.filter(Q(id__in=text_hits) | Q(id__in=category_facilities) | _substring_match(words))
        .annotate(rank=SearchRank(vector, query))
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


def facility_facets(queryset: QuerySet[Facility]) -> dict[str, list[dict]]:
    """Counts per institution, region, city, kind, category, access model and openness for a result set.

    Each facet is one grouped query over the (already filtered) result ids.
    """
    ids = queryset.order_by().values("id")
    base = Facility.objects.filter(id__in=ids)
    institutions = (
        base.values("institution__id", "institution__slug", "institution__short_name", "institution__name")
        .annotate(count=Count("id"))
        .order_by("institution__name")
    )
    regions = base.exclude(institution__region="").values("institution__region").annotate(count=Count("id"))
    cities = base.values("city").annotate(count=Count("id")).order_by("city")
    kinds = base.values("kind").annotate(count=Count("id")).order_by("kind")
    categories = (
        Category.objects.filter(facilities__in=ids)
        .values("slug", "name_nb", "name_en")
        .annotate(count=Count("facilities", distinct=True))
        .order_by("name_nb")
    )
    access = base.aggregate(
        **{model.value: Count("id", filter=Q(**{field: True})) for model, field in Facility.ACCESS_MODEL_FIELDS.items()}
    )
    openness = base.aggregate(yes=Count("id", filter=Q(open_to_industry=True)))
    region_labels = dict(Region.choices)
    kind_labels = dict(FacilityKind.choices)
    english = _is_english()
    return {
        "institution": [
            {"value": row["institution__slug"], "label": row["institution__name"], "count": row["count"]}
            for row in institutions
        ],
        "region": [
            {
                "value": row["institution__region"],
                "label": region_labels.get(row["institution__region"], row["institution__region"]),
                "count": row["count"],
            }
            for row in regions
        ],
        "city": [{"value": row["city"], "label": row["city"], "count": row["count"]} for row in cities],
        "kind": [{"value": row["kind"], "label": kind_labels.get(row["kind"]), "count": row["count"]} for row in kinds],
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
        "open_to_industry": [
            {"value": "true", "label": None, "count": openness["yes"]},
        ]
        if openness["yes"]
        else [],
    }


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
    for contact in facility.contacts.all():
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
