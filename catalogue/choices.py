from django.db import models
from django.utils.translation import gettext_lazy as _


class InstitutionKind(models.TextChoices):
    UNIVERSITY = "university", _("University")
    UNIVERSITY_COLLEGE = "university_college", _("University college")
    HEALTH_TRUST = "health_trust", _("Health trust / university hospital")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    CLUSTER = "cluster", _("Cluster or incubator")


class FacilityKind(models.TextChoices):
    CORE_FACILITY = "core_facility", _("Core facility")
    LABORATORY = "laboratory", _("Laboratory")
    TEST_BED = "test_bed", _("Test bed / test arena")
    SIMULATION_CENTRE = "simulation_centre", _("Simulation centre")
    ANIMAL_FACILITY = "animal_facility", _("Animal facility")
    BIOBANK = "biobank", _("Biobank")
    CLINICAL_RESEARCH_UNIT = "clinical_research_unit", _("Clinical research unit")
    NATIONAL_NODE = "national_node", _("National infrastructure node")


class AccessModel(models.TextChoices):
    """The four ways to use an infrastructure (report 4.1)."""

    RENTAL = "rental", _("Rental of the infrastructure")
    SERVICE = "service", _("Service performed by staff")
    COMMISSIONED = "commissioned", _("Commissioned research")
    COLLABORATION = "collaboration", _("Collaboration research")


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ResourceKind(models.TextChoices):
    INSTRUMENT = "instrument", _("Instrument")
    ROOM = "room", _("Room or lab")
    SERVICE = "service", _("Service")


class InstitutionRoleKind(models.TextChoices):
    ADMIN = "admin", _("Institution admin")
    SCREENER = "screener", _("Screener")


class Region(models.TextChoices):
    NORTH = "north", _("Northern Norway")
    CENTRAL = "central", _("Central Norway")
    WEST = "west", _("Western Norway")
    SOUTH_EAST = "south_east", _("South-Eastern Norway")
