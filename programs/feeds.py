"""Atom feeds of newly published programs: the whole directory, one country, one specialty.
Newest first by publication, the latest FEED_LENGTH of them."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import Country

from .models import Program, Specialty

FEED_LENGTH = 50


class NewProgramsFeed(Feed):
    feed_type = Atom1Feed
    description_template = "programs/feeds/program_description.html"

    def title(self, obj=None):
        return _("New humanitarian surgery programs")

    def subtitle(self, obj=None):
        return _("Programs newly published in the Humanitarian Surgery Directory.")

    def link(self, obj=None):
        return reverse("programs:list")

    def programs(self, obj):
        return Program.objects.published()

    def items(self, obj=None):
        return self.programs(obj).for_listing().order_by("-published_at", "-pk")[:FEED_LENGTH]

    def item_title(self, item):
        return item.name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.organization.name

    def item_categories(self, item):
        return [specialty.name for specialty in item.specialties.all()]


class CountryProgramsFeed(NewProgramsFeed):
    def get_object(self, request, code):
        if code.upper() not in countries:
            raise Http404(_("No country has the code “%(code)s”.") % {"code": code[:10]})
        return Country(code=code.upper())

    def title(self, obj):
        return _("New humanitarian surgery programs in %(country)s") % {"country": obj.name}

    def link(self, obj):
        return reverse("programs:country", kwargs={"code": obj.code.lower()})

    def programs(self, obj):
        return super().programs(obj).in_countries([obj.code])


class SpecialtyProgramsFeed(NewProgramsFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Specialty, slug=slug)

    def title(self, obj):
        return _("New programs: %(specialty)s") % {"specialty": obj.name}

    def link(self, obj):
        return obj.get_absolute_url()

    def programs(self, obj):
        return super().programs(obj).in_specialties([obj.slug])
