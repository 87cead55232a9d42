"""A large, realistic, deterministic directory for benchmarks and scale tests."""

import random
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django_countries import countries

from directory.pagecache import content_changed
from programs.models import (
    Contact,
    Frequency,
    Organization,
    Place,
    Program,
    ProgramStatus,
    Role,
    Specialty,
    StaffingRequirement,
)
from programs.search import is_postgresql

ORG_WORDS = [
    "Surgeons",
    "Smiles",
    "Hands",
    "Hope",
    "Care",
    "Restore",
    "Bridges",
    "Horizons",
    "Health",
    "Reconstruct",
    "Relief",
    "Volunteers",
    "Healing",
    "Outreach",
    "Mercy",
    "Aid",
    "Light",
]
ORG_KINDS = ["Foundation", "International", "Network", "Society", "Mission", "Alliance", "Trust"]
PROGRAM_KINDS = [
    "cleft mission",
    "burns unit support",
    "hand surgery camp",
    "reconstructive surgery week",
    "training partnership",
    "surgical outreach",
    "teaching program",
    "mobile surgical team",
]
CITIES = [
    "Lima",
    "Cusco",
    "Guanajuato",
    "Cali",
    "Hanoi",
    "Manila",
    "Lomé",
    "Cotonou",
    "Asunción",
    "Amman",
    "Beirut",
    "Gaza",
    "Erbil",
    "Yangon",
    "Kabul",
    "Arusha",
    "Cordoba",
    "Nairobi",
    "Kampala",
    "Dhaka",
    "Kathmandu",
    "Port-au-Prince",
    "Antigua",
    "Tegucigalpa",
    "Lusaka",
]
SENTENCES = [
    "Volunteer teams operate side by side with local surgeons.",
    "Children with cleft lip and palate are treated free of charge.",
    "The program trains residents and nurses between missions.",
    "Burn contractures and war injuries are the main indications.",
    "Patients are selected beforehand by the local team and followed up after surgery.",
    "Instruments and sterile supplies travel with the team.",
    "Sessions are transmitted online to surgeons in the region.",
    "The hospital provides an operating room and ward beds.",
]


PUBLISHING_MINUTES = 5 * 365 * 24 * 60


class Command(BaseCommand):
    help = (
        "Fill the database with a large generated directory (for benchmarks): organizations, "
        "programs with places in many countries, specialties, staffing and contacts. "
        "Deterministic for a given --seed. Refuses a database that holds generated data already "
        "unless --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("--programs", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--replace", action="store_true", help="Delete earlier generated data first."
        )

    def handle(self, *args, programs, seed, replace, **options):
        if programs < 1:
            raise CommandError("--programs must be at least 1.")
        started = time.monotonic()
        generated = Organization.objects.filter(slug__startswith="gen-")
        if generated.exists():
            if not replace:
                raise CommandError("Generated data exists already: use --replace.")
            Program.objects.filter(organization__in=generated).delete()
            generated.delete()
        with transaction.atomic():
            counts = self.generate(programs, random.Random(seed))  # noqa: S311 (not secrets)
        if is_postgresql():
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        counts["seconds"] = round(time.monotonic() - started, 1)
        self.stdout.write(self.style.SUCCESS(", ".join(f"{k}: {v}" for k, v in counts.items())))

    def generate(self, total, rng):
        specialties = list(Specialty.objects.all())
        if not specialties:
            raise CommandError("No specialties: run load_seed first.")
        codes = [code for code, _name in countries if code != "AQ"]
        # A realistic skew: most programs work in a few dozen countries.
        busy = rng.sample(codes, 40)
        now = timezone.now()

        organizations = Organization.objects.bulk_create(
            Organization(
                name=f"{rng.choice(ORG_WORDS)} {rng.choice(ORG_WORDS)} {rng.choice(ORG_KINDS)} {n}",
                slug=f"gen-org-{n}",
                description=" ".join(rng.sample(SENTENCES, 2)),
            )
            for n in range(max(1, total // 4))
        )
        statuses = [ProgramStatus.PUBLISHED] * 18 + [ProgramStatus.PENDING, ProgramStatus.ARCHIVED]
        frequencies = list(Frequency)
        programs = []
        for n in range(total):
            organization = rng.choice(organizations)
            kind = rng.choice(PROGRAM_KINDS)
            frequency = rng.choice(frequencies)
            low = (
                rng.randint(1, 6)
                if frequency in (Frequency.PER_YEAR, Frequency.PER_MONTH)
                else None
            )
            status = rng.choice(statuses)
            programs.append(
                Program(
                    organization=organization,
                    name=f"{organization.name.rsplit(' ', 1)[0]} {kind} {n}",
                    slug=f"gen-{slugify(kind)}-{n}",
                    description=" ".join(rng.sample(SENTENCES, 3)),
                    needs_text=rng.choice(specialties).name,
                    frequency=frequency,
                    frequency_min=low,
                    frequency_max=low + rng.randint(0, 2) if low else None,
                    min_commitment=rng.choice(["", "1 week", "2 weeks", "10 days"]),
                    trains_local_staff=rng.choice([True, False, None]),
                    status=status,
                    # Published over five years, each at its own minute, as in a directory
                    # that grew: sorting by "newest" then meets few ties. (From `n`, not the
                    # random stream, which the other fields keep as they were.)
                    published_at=now - timezone.timedelta(minutes=(n * 7919) % PUBLISHING_MINUTES)
                    if status != ProgramStatus.PENDING
                    else None,
                    last_verified_on=(now - timezone.timedelta(days=rng.randint(0, 900))).date(),
                    source="Generated for benchmarks",
                )
            )
        programs = Program.objects.bulk_create(programs, batch_size=2000)

        places, links, staffing, contacts = [], [], [], []
        through = Program.specialties.through
        roles = list(Role)
        for program in programs:
            for position, code in enumerate(
                dict.fromkeys(
                    rng.choice(busy) if rng.random() < 0.8 else rng.choice(codes)
                    for _ in range(rng.randint(1, 3))
                )
            ):
                places.append(
                    Place(
                        program=program,
                        country=code,
                        locality=rng.choice(CITIES) if rng.random() < 0.5 else "",
                        position=position,
                    )
                )
            for specialty in rng.sample(specialties, rng.randint(1, 3)):
                links.append(through(program_id=program.pk, specialty_id=specialty.pk))
            for position in range(rng.randint(1, 2)):
                low = rng.randint(1, 4)
                staffing.append(
                    StaffingRequirement(
                        program=program,
                        role=rng.choice(roles),
                        min_count=low,
                        max_count=low + rng.randint(0, 4),
                        period=rng.choice(["per-mission", "per-year", "unspecified"]),
                        accepts_trainees=rng.random() < 0.2,
                        position=position,
                    )
                )
            contacts.append(Contact(program=program, name=f"Coordinator {program.pk}"))
        Place.objects.bulk_create(places, batch_size=5000)
        through.objects.bulk_create(links, batch_size=5000)
        StaffingRequirement.objects.bulk_create(staffing, batch_size=5000)
        Contact.objects.bulk_create(contacts, batch_size=5000)
        missions, figures = self.generate_missions(programs, places, rng, now)
        Program.objects.filter(pk__in=[p.pk for p in programs]).refresh_search()
        content_changed()  # bulk inserts send no signal to the page cache
        return {
            "organizations": len(organizations),
            "programs": len(programs),
            "places": len(places),
            "staffing": len(staffing),
            "missions": missions,
            "impact figures": figures,
        }

    def generate_missions(self, programs, places, rng, now):
        """A dated mission for about a third of the programs (past and coming, some known only
        by their month, a few cancelled), and an impact figure for one in five."""
        import calendar
        import datetime

        from missions.models import ImpactFigure, Mission, MissionRole
        from missions.models.choices import Basis, DatePrecision, Metric, MissionStatus, Scope

        first_place = {}
        for place in places:
            first_place.setdefault(place.program_id, place)
        today = now.date()
        missions, roles, figures = [], [], []
        for program in programs:
            place = first_place[program.pk]
            if rng.random() < 0.35:
                start = today + datetime.timedelta(days=rng.randint(-365, 540))
                by_month = rng.random() < 0.3
                if by_month:
                    start = start.replace(day=1)
                    end = start.replace(day=calendar.monthrange(start.year, start.month)[1])
                else:
                    end = start + datetime.timedelta(days=rng.randint(4, 14))
                status = (
                    MissionStatus.COMPLETED
                    if end < today
                    else rng.choice([MissionStatus.PLANNED, MissionStatus.OPEN, MissionStatus.FULL])
                )
                if rng.random() < 0.05:
                    status = MissionStatus.CANCELLED
                missions.append(
                    Mission(
                        program=program,
                        title=f"{program.name}: {start:%B %Y}",
                        slug=f"gen-mission-{program.pk}",
                        country=place.country,
                        city=place.locality,
                        start_on=start,
                        end_on=end,
                        date_precision=DatePrecision.MONTH if by_month else DatePrecision.DAY,
                        status=status,
                        team_size=rng.randint(4, 20),
                        source="Generated for benchmarks",
                    )
                )
            if rng.random() < 0.2:
                year = today.year - rng.randint(1, 10)
                figures.append(
                    ImpactFigure(
                        scope=Scope.PROGRAM,
                        program=program,
                        metric=rng.choice(
                            [Metric.SURGERIES, Metric.PATIENT_EVALUATIONS, Metric.TRIPS]
                        ),
                        value=rng.randint(5, 5000),
                        basis=Basis.TOTAL,
                        period_start_year=year,
                        period_end_year=today.year,
                        source="Generated for benchmarks",
                    )
                )
        missions = Mission.objects.bulk_create(missions, batch_size=2000)
        for mission in missions:
            roles.append(MissionRole(mission=mission, role=Role.SURGEON, count=rng.randint(1, 4)))
        MissionRole.objects.bulk_create(roles, batch_size=5000)
        ImpactFigure.objects.bulk_create(figures, batch_size=5000)
        return len(missions), len(figures)
