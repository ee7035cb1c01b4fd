"""The intake part of the demo register: the demo platform admin joins the national screening team, so that a
demo request to an institution without screeners reaches a person as it would in production."""

from intake.models import NationalScreener

PLATFORM_ADMIN_EMAIL = "demo.plattform@example.org"


def on_demo_register_loaded(sender, with_demo_users=False, users=None, **kwargs):
    if not with_demo_users:
        return
    admin = (users or {}).get(PLATFORM_ADMIN_EMAIL)
    if admin is None:
        from django.contrib.auth import get_user_model

        admin = get_user_model().objects.filter(email=PLATFORM_ADMIN_EMAIL).first()
    if admin is not None:
        NationalScreener.objects.get_or_create(user=admin)
