import factory

from intake.choices import Phase, RequestStatus, Sector
from intake.models import IntakeRequest
from tests.factories import InstitutionFactory


class IntakeRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IntakeRequest

    status = RequestStatus.IN_SCREENING
    company_name = "Biotek AS"
    org_number = "988077917"
    contact_name = "Ola Nordmann"
    email = factory.Sequence(lambda n: f"ola{n}@biotek.example")
    sector = Sector.DIAGNOSTICS
    phase = Phase.TESTING
    description = "Vi trenger massespektrometri på 200 prøver."
    consent_to_share = True
    institution = factory.SubFactory(InstitutionFactory)
