import datetime

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db.models import Prefetch, Q
from django.utils import timezone

from programs.models import Contact, Organization, Program
from submissions import services


class Command(BaseCommand):
    help = (
        "List the organizations whose published listings were not verified for a year "
        "(DIRECTORY_STALE_AFTER_DAYS), and with --email ask their contacts to confirm or "
        "update them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=settings.STALE_AFTER_DAYS,
            help="Not verified for more than this many days (default: %(default)s).",
        )
        parser.add_argument(
            "--include-unverified",
            action="store_true",
            help="Also list programs that were never verified by staff.",
        )
        parser.add_argument(
            "--email",
            action="store_true",
            help="E-mail each organization's contacts that have an address.",
        )

    def handle(self, *args, days, include_unverified, email, **options):
        cutoff = timezone.localdate() - datetime.timedelta(days=days)
        stale = Q(last_verified_on__lt=cutoff)
        if include_unverified:
            stale |= Q(last_verified_on__isnull=True)
        programs = (
            Program.objects.published()
            .filter(stale)
            .order_by("last_verified_on", "name")
            .prefetch_related(Prefetch("contacts", queryset=Contact.objects.exclude(email="")))
        )
        organizations = (
            Organization.objects.filter(programs__in=programs)
            .distinct()
            .order_by("name")
            .prefetch_related(Prefetch("programs", queryset=programs, to_attr="stale_programs"))
        )
        count = 0
        for organization in organizations:
            count += 1
            self.stdout.write(organization.name)
            for program in organization.stale_programs:
                verified = program.last_verified_on or "never"
                self.stdout.write(f"  {program.name}: last verified {verified}")
            if email:
                self._ask(organization)
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} organization(s) with listings not verified since {cutoff}."
            )
        )

    def _ask(self, organization):
        programs = organization.stale_programs
        addresses = sorted({c.email for program in programs for c in program.contacts.all()})
        if not addresses:
            self.stdout.write(self.style.WARNING("  no contact e-mail address: not asked"))
        elif services.ask_to_verify(organization, programs, addresses):
            self.stdout.write(f"  asked {', '.join(addresses)}")
        else:
            self.stdout.write(self.style.ERROR("  the mail could not be sent (see the log)"))
