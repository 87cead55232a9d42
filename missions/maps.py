"""
The world map of the impact, home and program pages: static/img/world-map.svg (built by
bin/build-world-map, one path per country with its ISO code as id) is drawn with <use>, and
the countries with programs are shaded by their number of programs, and are links unless the
page lists them anyway (the home page's small map is a picture of its list). Nothing is
fetched from elsewhere and no script is needed.
"""

import functools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programs.search import country_name, country_sort_key, shared_country

MAP_FILE = "img/world-map.svg"
SHADES = 4


@functools.cache
def map_geometry():
    """(viewBox, the country codes drawn in the SVG), read once from the static file."""
    text = Path(finders.find(MAP_FILE)).read_text(encoding="utf-8")
    viewbox = re.search(r'viewBox="([^"]+)"', text)[1]
    return viewbox, frozenset(re.findall(r'<path id="([A-Z]{2})"', text))


@dataclass
class MapCountry:
    code: str
    name: str
    css_class: str
    # Its number of programs; None on a program's own map, which counts nothing.
    count: int | None = None

    # Only maps with links ask for these: the home page's picture of two hundred countries
    # does not.
    @property
    def label(self):
        if self.count is None:
            return self.name
        return ngettext(
            "%(country)s: %(count)s program", "%(country)s: %(count)s programs", self.count
        ) % {"country": self.name, "count": self.count}

    @property
    def url(self):
        return _country_url(get_script_prefix(), self.code)


@functools.lru_cache(maxsize=1024)
def _country_url(script_prefix, code):
    # reverse() once per country and process (it depends on the code and the script prefix
    # only): a map of 170 linked countries spent 1.7 ms reversing their addresses.
    return reverse("programs:country", kwargs={"code": code.lower()})


@dataclass
class WorldMap:
    title: str
    size: str
    href: str
    viewbox: str
    countries: list[MapCountry] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)
    # A program's countries that the 1:110m map is too coarse to draw (Singapore, Malta...).
    not_drawn: list[MapCountry] = field(default_factory=list)
    # Countries as links to their pages; without, the map is one picture (role="img").
    links: bool = True


def shade(count, largest):
    """1 to SHADES, in proportion to the largest count on the map."""
    return max(1, math.ceil(SHADES * count / largest)) if largest else 1


def program_map(counts, *, size="large", title=None, links=True):
    """Countries shaded by their number of programs; `counts` is {code: count} or
    [(Country, count)] as the program pages have it."""
    if not isinstance(counts, dict):
        counts = {str(country.code): count for country, count in counts}
    viewbox, drawn = map_geometry()
    largest = max(counts.values(), default=0)
    world_map = WorldMap(
        title=title or _("Countries by number of programs"),
        size=size,
        href=static(MAP_FILE),
        viewbox=viewbox,
        links=links,
    )
    for code, count in sorted(
        counts.items(), key=lambda item: country_sort_key(shared_country(item[0]))
    ):
        # A country too small to draw is left out: the pages with this map list the
        # countries beside it (the impact table, the home page's list, /countries/).
        if not count or code not in drawn:
            continue
        css_class = f"world-map__country--{shade(count, largest)}"
        world_map.countries.append(MapCountry(code, country_name(code), css_class, count))
    if largest:
        for level in range(1, SHADES + 1):
            low = math.floor(largest * (level - 1) / SHADES) + 1
            high = math.floor(largest * level / SHADES)
            if high < low:
                continue
            text = str(low) if low == high else f"{low}–{high}"
            world_map.legend.append((f"world-map__country--{level}", text))
    return world_map


def highlight_map(codes, *, size="small", title=None):
    """The countries of one program, highlighted."""
    viewbox, drawn = map_geometry()
    world_map = WorldMap(
        title=title or _("Where this program works"),
        size=size,
        href=static(MAP_FILE),
        viewbox=viewbox,
    )
    for code in sorted(set(codes), key=lambda c: country_sort_key(shared_country(c))):
        entry = MapCountry(code, country_name(code), "world-map__country--highlight")
        (world_map.countries if code in drawn else world_map.not_drawn).append(entry)
    return world_map
