"""The sitemap (/sitemap.xml): every public page of published content, and nothing else."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Organization, Program, Specialty


class PagesSitemap(Sitemap):
    """The fixed pages: home, the list and the two indexes."""

    def items(self):
        return ["programs:home", "programs:list", "programs:countries", "programs:specialties"]

    def location(self, item):
        return reverse(item)


class ProgramSitemap(Sitemap):
    def items(self):
        return Program.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, item):
        return item.updated_at


class OrganizationSitemap(Sitemap):
    def items(self):
        return Organization.objects.with_published_programs().only("slug").order_by("slug")


class CountrySitemap(Sitemap):
    """Countries where at least one published program works."""

    def items(self):
        return sorted(code.lower() for code in Program.objects.published().country_counts())

    def location(self, item):
        return reverse("programs:country", kwargs={"code": item})


class SpecialtySitemap(Sitemap):
    """Specialties with at least one published program (the others are empty pages)."""

    def items(self):
        return (
            Specialty.objects.with_program_counts()
            .filter(program_count__gt=0)
            .only("slug")
            .order_by("slug")
        )


SITEMAPS = {
    "pages": PagesSitemap,
    "programs": ProgramSitemap,
    "organizations": OrganizationSitemap,
    "countries": CountrySitemap,
    "specialties": SpecialtySitemap,
}
