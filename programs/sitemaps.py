"""The sitemaps: every public page of published content, and nothing else. /sitemap.xml is
their index; each kind of page has its own (/sitemap-programs.xml), in pages of `limit`
addresses (`?p=2`), as many as the index lists. Served as cached pages, like the others:
a page of 5,000 addresses takes a few hundred milliseconds to write."""

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.urls import reverse
from django.views import View

from directory.pagecache import CachedPageMixin

from .facets import DirectorySummary
from .models import Organization, Program


class PagesSitemap(Sitemap):
    """The fixed pages: home, the list and the two indexes."""

    def items(self):
        return ["programs:home", "programs:list", "programs:countries", "programs:specialties"]

    def location(self, item):
        return reverse(item)


# Addresses per page of a sitemap: far below the protocol's 50,000, so that a page of a large
# directory is a response of a few hundred kilobytes rather than several megabytes.
PAGE_SIZE = 5000


class ProgramSitemap(Sitemap):
    limit = PAGE_SIZE

    def items(self):
        return Program.objects.published().only("slug", "updated_at").order_by("slug")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # The index gives no date of its own (optional in the protocol; each address in the
        # pages has its date). Django's default reads every program to find the latest.
        return None


class OrganizationSitemap(Sitemap):
    limit = PAGE_SIZE

    def items(self):
        return Organization.objects.with_published_programs().only("slug").order_by("slug")


class CountrySitemap(Sitemap):
    """Countries where at least one published program works."""

    def items(self):
        return sorted(code.lower() for code in DirectorySummary().countries)

    def location(self, item):
        return reverse("programs:country", kwargs={"code": item})


class SpecialtySitemap(Sitemap):
    """Specialties with at least one published program (the others are empty pages)."""

    def items(self):
        return sorted(DirectorySummary().specialties)

    def location(self, item):
        return reverse("programs:specialty", kwargs={"slug": item})


SITEMAPS = {
    "pages": PagesSitemap,
    "programs": ProgramSitemap,
    "organizations": OrganizationSitemap,
    "countries": CountrySitemap,
    "specialties": SpecialtySitemap,
}


class SitemapIndexView(CachedPageMixin, View):
    def get(self, request):
        return sitemap_views.index(request, SITEMAPS, sitemap_url_name="sitemap-section")


class SitemapView(CachedPageMixin, View):
    query_parameters = frozenset({"p"})  # a section's page, past 50,000 addresses

    def get(self, request, section):
        return sitemap_views.sitemap(request, SITEMAPS, section=section)
