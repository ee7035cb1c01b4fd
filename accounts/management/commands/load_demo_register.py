"""Load the demo register (real institutions and facilities, fictional contacts) and optionally demo users."""

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.demo import DEFAULT_PASSWORD, PASSWORD_ENV_VAR, demo_register_load
from core.errors import DomainError


class Command(BaseCommand):
    help = "Load the demo register from Oslo Economics (2020); idempotent. --with-demo-users adds demo accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--with-demo-users",
            action="store_true",
            help=f"Also create the demo accounts, with the password in ${PASSWORD_ENV_VAR}.",
        )

    def handle(self, *args, with_demo_users: bool, **options):
        password = os.environ.get(PASSWORD_ENV_VAR) or DEFAULT_PASSWORD
        try:
            register = demo_register_load(with_demo_users=with_demo_users, password=password)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            _(
                "Demo register loaded: %(institutions)d institutions, %(facilities)d facilities, "
                "%(categories)d categories, %(contacts)d contact persons, %(resources)d resources "
                "(%(bookable)d bookable)."
            )
            % {
                "institutions": register.institutions,
                "facilities": register.facilities,
                "categories": register.categories,
                "contacts": register.contacts,
                "resources": len(register.resources),
                "bookable": len(register.bookable_resources),
            }
        )
        if not with_demo_users:
            return
        self.stdout.write(_("Demo users:"))
        for user in register.users:
            self.stdout.write(f"  {user.email}")
        if os.environ.get(PASSWORD_ENV_VAR):
            self.stdout.write(
                _("Password: the value of the environment variable %(variable)s.") % {"variable": PASSWORD_ENV_VAR}
            )
        else:
            self.stdout.write(
                _("Password: %(variable)s is not set, so the default password %(default)s applies.")
                % {"variable": PASSWORD_ENV_VAR, "default": DEFAULT_PASSWORD}
            )
