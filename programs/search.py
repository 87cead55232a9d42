"""
Text search over programs, the same words on every database.

Each program keeps three search fields, written by `document_fields()` whenever the program or
what it shows changes (ProgramQuerySet.refresh_search()): its names (program and
organization), its terms (specialties with their synonyms, places, and country names in every
interface language, so "Kolumbien" finds Colombia) and its text (description, needs, wording).
They are stored lower-case without accents, so that "Cordoba" finds "Córdoba" with no
database extension.

PostgreSQL: full-text search in the language-neutral "simple" configuration (no stemming
that would suit one language and mangle the others), weighted A/B/C over those fields and
stored in `search_vector`. Each word matches as a prefix ("burn" finds "burns"); a word that is
not a word of the directory also matches its nearest words by trigram similarity, looked up in
a lexicon of the directory's words (SearchWord): "cleft plate" finds "cleft palate". Both have
GIN indexes, so a search is an index lookup at any size. Results are ranked by weight.

The document also holds the program's filter tokens (`filter_tokens()`): one lexeme for its
frequency, one per country, region and specialty, one per role that can fill one of its needs,
and one when it takes trainees.
They begin with "=", which no typed word can (normalize() keeps letters and digits only), so
they never match a search. The list's filters are conditions on these tokens
(TokenConditions), served by the same GIN index as the words: a search with filters is one
index lookup, not the words' matches joined to places and staffing row by row.

Triggers copy each published program's document into a narrow table (SearchEntry), where the
list counts, ranks and cuts a search in order of relevance, and every word of every document
into a lexicon (SearchLexeme), from which a typed word's prefix is written out as the words it
begins (look_up(), tsquery()). Triggers also count the published programs' tokens as they
change (FilterCount), for the whole directory's facet counts.

SQLite: each word must be a substring of one of the fields; names rank before terms before
text.
"""

import dataclasses
import functools
import re
import unicodedata

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchVectorCombinable, SearchVectorField
from django.db import connection
from django.db.models import Case, F, Func, IntegerField, Q, Value, When
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django_countries import countries
from django_countries.fields import Country

# Words shorter than this are not tried as typos: "lima" would find "limb".
TYPO_MIN_LENGTH = 5
# How alike (pg_trgm similarity) a typed word and a word of the directory must be to be taken
# for a typo of it, and how many near words to try: "plate" ~ "palate" is 0.44.
TYPO_SIMILARITY = 0.4
TYPO_ALTERNATIVES = 3
MAX_WORDS = 8


def normalize(text):
    """Lower case, accents removed, punctuation as spaces: "Córdoba, AR" -> "cordoba ar"."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("œ", "oe")
    return " ".join(re.findall(r"[^\W_]+", text))


def query_words(text):
    """The words of a query, normalized, without repeats, at most MAX_WORDS."""
    words = []
    for word in normalize(text).split():
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


@functools.cache
def country_names(code):
    """The country's name in every interface language, and its code."""
    names = {code}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.add(str(countries.name(code)))
    return " ".join(sorted(names))


@functools.cache
def _country_names_in(language):
    """{code: name} of every country in `language`, which is active. Names are fixed for the
    life of the process: naming the two hundred countries of a map then costs a lookup each,
    not a translation (about 1.5 ms a map)."""
    return dict(countries)


def country_name(code):
    """The country's name in the visitor's language."""
    return _country_names_in(translation.get_language()).get(code) or str(countries.name(code))


@functools.cache
def _country_positions(language):
    """{code: position} of every country in alphabetical order of its name in `language`,
    accents aside: sorting a list of a few hundred countries then costs a lookup per
    country, not a translation and a normalize()."""
    names = {code: normalize(name) for code, name in _country_names_in(language).items()}
    return {code: i for i, code in enumerate(sorted(names, key=lambda code: (names[code], code)))}


@functools.cache
def shared_country(code):
    """One Country per code for the whole process. A Country holds its code and looks its
    name up in the active language each time it is asked, so one object serves every request
    and language; building the ~250 of a list, home or impact page anew (each one checks its
    code against the whole table) cost about a millisecond a page."""
    return Country(code=code)


def country_sort_key(country):
    """Alphabetical in the visitor's language, accents aside: "Äthiopien" before "Belize"."""
    positions = _country_positions(translation.get_language())
    code = country.code
    # A code django-countries does not list (none should reach here) sorts last, by name.
    return (positions[code], "") if code in positions else (len(positions), normalize(country.name))


# What document_fields() writes: the normalized copies, and the filter tokens.
SEARCH_FIELDS = ["search_names", "search_terms", "search_text", "search_filters"]


def document_fields(program):
    """{field: value} of the three search fields of `program`, whose organization, places and
    specialties are loaded (ProgramQuerySet.for_search_refresh)."""
    names = [program.name, program.organization.name]
    terms = []
    for specialty in program.specialties.all():
        terms += [specialty.name, specialty.synonyms]
    for place in program.places.all():
        terms += [place.locality, country_names(place.country.code)]
    text = [
        program.description,
        program.needs_text,
        program.location_text,
        program.frequency_text,
        program.resources_required,
        program.languages,
    ]
    return {
        "search_names": normalize(" ".join(names)),
        "search_terms": normalize(" ".join(terms)),
        "search_text": normalize(" ".join(text)),
        "search_filters": " ".join(filter_tokens(program)),
    }


# --- Filter tokens --------------------------------------------------------------------------

TOKEN_PREFIXES = {
    "country": "=c",
    "region": "=g",
    "specialty": "=s",
    "role": "=r",
    "frequency": "=f",
}
TAKES_TRAINEES = "=t"


def token(kind, value):
    """The lexeme that stands for `value` of `kind`: token("country", "PE") == "=cPE"."""
    return TOKEN_PREFIXES[kind] + str(value)


def filter_tokens(program):
    """The sorted filter tokens of `program` (its frequency, and the countries, regions,
    specialties, roles and trainees of its places, specialties and staffing, which are loaded:
    ProgramQuerySet.for_search_refresh)."""
    from .models.choices import Role
    from .regions import region_of

    tokens = {token("frequency", program.frequency)}
    for place in program.places.all():
        code = place.country.code
        tokens.add(token("country", code))
        region = region_of(code)
        if region is not None:
            tokens.add(token("region", region.slug))
    for specialty in program.specialties.all():
        tokens.add(token("specialty", specialty.slug))
    for requirement in program.staffing_requirements.all():
        # A role token says who can fill a need, not the need itself: a program asking for a
        # surgeon carries the tokens of every kind of surgeon. A role filter then asks for
        # its own tokens only, and a role's count is its token's count.
        tokens.update(token("role", role) for role in Role.filled_by(requirement.role))
        if requirement.accepts_trainees:
            tokens.add(TAKES_TRAINEES)
    return sorted(tokens)


class Lexemes(SearchQuery):
    """A tsquery written in the tsquery syntax, its lexemes taken as they are: a text search
    configuration would split "=cPE" into words."""

    template = "(%(expressions)s)::tsquery"

    def __init__(self, text):
        super().__init__(text, search_type="raw")


def wanted_tokens(kind, values):
    """The sorted tokens a filter of `kind` asks for, one of which a program must have."""
    return sorted({token(kind, value) for value in values})


def any_token(kind, values):
    """The condition "has a token of `kind` for one of `values`", for search_vector=."""
    # Tokens hold letters, digits, "-", "_" and "=" only (codes, slugs, choices): quoting each
    # is all the tsquery syntax needs.
    return Lexemes(" | ".join(f"'{t}'" for t in wanted_tokens(kind, values)))


def trainees_token():
    return Lexemes(f"'{TAKES_TRAINEES}'")


def filter_query(name, value):
    """The tsquery of one filter in use (`name` a ProgramFilter parameter other than q and
    sort; trainees True or False)."""
    if name == "trainees":
        # Inside the tsquery rather than as NOT (...): the index still serves the condition.
        return trainees_token() if value else ~trainees_token()
    return any_token(name, value)


class TokenConditions:
    """The list's filters as conditions on a search document's filter tokens, for a queryset
    whose model stores the document in `document_field` (PostgreSQL only): the programs
    themselves, and their narrow copies (SearchEntry)."""

    document_field = "search_vector"

    def _having(self, query):
        return self.filter(**{self.document_field: query})

    def in_countries(self, codes):
        return self._having(filter_query("country", codes))

    def in_regions(self, slugs):
        return self._having(filter_query("region", slugs))

    def in_specialties(self, slugs):
        return self._having(filter_query("specialty", slugs))

    def needing_roles(self, roles):
        return self._having(filter_query("role", roles))

    def accepting_trainees(self):
        return self._having(filter_query("trainees", True))

    def not_accepting_trainees(self):
        return self._having(filter_query("trainees", False))

    def with_frequencies(self, frequencies):
        return self._having(filter_query("frequency", frequencies))

    def search(self, text, spellings=None):
        return search(self, text, spellings, self.document_field)


def rewrite_documents(Program, vendor, batch_size=2000):
    """For data migrations that change what the documents hold: every program's search
    fields, and on PostgreSQL its document, rewritten with today's document_fields() and
    search_vector(). `Program` is the migration's historical model."""
    pks = list(Program.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch_size):
        batch = pks[start : start + batch_size]
        programs = list(
            Program.objects.filter(pk__in=batch)
            .select_related("organization")
            .prefetch_related("places", "specialties", "staffing_requirements")
        )
        for program in programs:
            for field, value in document_fields(program).items():
                setattr(program, field, value)
        Program.objects.bulk_update(programs, SEARCH_FIELDS)
        if vendor == "postgresql":
            Program.objects.filter(pk__in=batch).update(search_vector=search_vector())


def lexicon_words(programs):
    """The words of the programs' names and terms, for the typo lexicon."""
    words = set()
    for program in programs:
        words.update(program.search_names.split())
        words.update(program.search_terms.split())
    return sorted(w for w in words if 3 <= len(w) <= 100)


def is_postgresql():
    return connection.vendor == "postgresql"


# --- PostgreSQL ---------------------------------------------------------------------------


class TokenVector(SearchVectorCombinable, Func):
    """The space-separated filter tokens as lexemes without positions, not parsed."""

    template = "array_to_tsvector(string_to_array(%(expressions)s, ' '))"
    output_field = SearchVectorField()


def search_vector():
    """The weighted document and the filter tokens, stored in Program.search_vector by
    refresh_search()."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("search_names", weight="A", config="simple")
        + SearchVector("search_terms", weight="B", config="simple")
        + SearchVector("search_text", weight="C", config="simple")
        + TokenVector(F("search_filters"))
    )


@dataclasses.dataclass(frozen=True)
class Spellings:
    """What the lexicons say of a query's typed words.

    `near`: {typed word: [words of the directory it may be a typo of]}, for the typed words
    of TYPO_MIN_LENGTH or more that are not themselves a word of the directory (SearchWord).
    `completions`: {typed word: [the documents' words that begin with it]} (SearchLexeme),
    for each typed word that begins at most MAX_COMPLETIONS of them."""

    near: dict = dataclasses.field(default_factory=dict)
    completions: dict = dataclasses.field(default_factory=dict)


# A typed word matches every word of the documents that begins with it. Listed ("hand |
# hands"), those words cost the GIN index one posting list each; as a prefix ("hand:*") the
# index first gathers every row of every such word into a bitmap, about 15 ms for a word as
# common as "surgery" at 100,000 programs. A word that begins more words than this (a
# letter or two) stays a prefix.
MAX_COMPLETIONS = 30


def look_up(words):
    """The Spellings of `words`: one query over both lexicons, served by the trigram index of
    SearchWord and the "C"-ordered index of SearchLexeme (programs/migrations 0003, 0005)."""
    if not words:
        return Spellings()
    candidates = [word for word in words if len(word) >= TYPO_MIN_LENGTH]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT 'near', typed.word, near.word
            FROM unnest(%s::text[]) AS typed(word)
            CROSS JOIN LATERAL (
                SELECT lexicon.word FROM programs_searchword AS lexicon
                WHERE lexicon.word %% typed.word
                  AND similarity(lexicon.word, typed.word) >= %s
                ORDER BY similarity(lexicon.word, typed.word) DESC, lexicon.word
                LIMIT %s
            ) AS near
            WHERE NOT EXISTS (
                SELECT 1 FROM programs_searchword AS known WHERE known.word = typed.word
            )
            UNION ALL
            SELECT 'completion', typed.word, completion.word
            FROM unnest(%s::text[]) AS typed(word)
            CROSS JOIN LATERAL (
                -- Byte order: every word that begins with the typed one sorts between it and
                -- it followed by the last code point.
                SELECT lexeme.word FROM programs_searchlexeme AS lexeme
                WHERE lexeme.word COLLATE "C" >= typed.word
                  AND lexeme.word COLLATE "C" < typed.word || chr(1114111)
                ORDER BY lexeme.word COLLATE "C"
                LIMIT %s
            ) AS completion
            """,
            [candidates, TYPO_SIMILARITY, TYPO_ALTERNATIVES, words, MAX_COMPLETIONS + 1],
        )
        spellings = Spellings()
        for kind, typed, word in cursor.fetchall():
            found = spellings.near if kind == "near" else spellings.completions
            found.setdefault(typed, []).append(word)
    for typed, completions in list(spellings.completions.items()):
        if len(completions) > MAX_COMPLETIONS:
            del spellings.completions[typed]
    return spellings


def tsquery(words, spellings, listed=False):
    """Every word, as a prefix or as one of its near spellings: (cleft:*) & (plate:* | palate).
    `listed`: the prefixes written out as the words they begin, where the lexicon knows them
    all, (cleft) & (plate | plates | palate): the same matches, found faster. Ranking keeps the
    prefixes, which ts_rank weighs as one word however many words they begin.
    The words are normalized to letters and digits, so the raw syntax is safe."""
    parts = []
    for word in words:
        completions = spellings.completions.get(word) if listed else None
        options = [*(completions or [f"{word}:*"]), *spellings.near.get(word, [])]
        parts.append("(" + " | ".join(options) + ")")
    return " & ".join(parts)


def postgresql_search(queryset, words, spellings=None, document_field="search_vector"):
    from django.contrib.postgres.search import SearchQuery, SearchRank

    if spellings is None:
        spellings = look_up(words)
    matching = SearchQuery(
        tsquery(words, spellings, listed=True), search_type="raw", config="simple"
    )
    ranking = SearchQuery(tsquery(words, spellings), search_type="raw", config="simple")
    # One condition on the stored document, served by its GIN index; ranked by the weights
    # of the words found.
    return queryset.filter(**{document_field: matching}).annotate(
        search_rank=SearchRank(F(document_field), ranking)
    )


# --- SQLite (and any other database) ------------------------------------------------------


def substring_search(queryset, words):
    score = Value(0, output_field=IntegerField())
    for word in words:
        queryset = queryset.filter(
            Q(search_names__contains=word)
            | Q(search_terms__contains=word)
            | Q(search_text__contains=word)
        )
        score = (
            score
            + Case(When(search_names__contains=word, then=4), default=0)
            + Case(When(search_terms__contains=word, then=2), default=0)
            + Case(When(search_text__contains=word, then=1), default=0)
        )
    return queryset.annotate(search_rank=score)


def search(queryset, text, spellings=None, document_field="search_vector"):
    """`queryset` narrowed to the programs matching every word of `text`, annotated with
    `search_rank` (higher is better). `spellings`, the result of look_up() for these words,
    saves looking them up again when one search is applied to several querysets."""
    words = query_words(text)
    if not words:
        return queryset
    if is_postgresql():
        return postgresql_search(queryset, words, spellings, document_field)
    return substring_search(queryset, words)


# --- Highlighting -------------------------------------------------------------------------


@functools.lru_cache(maxsize=16384)
def _normalized_word(word):
    # The words of the programs shown come back page after page: normalized once each.
    return normalize(word)


def highlight(text, words):
    """`text`, escaped, with each word that starts with one of `words` (compared without
    accents or case) wrapped in <mark>."""
    text = str(text or "")
    if not words:
        return escape(text)
    parts = []
    position = 0
    for match in re.finditer(r"\w+", text):
        token = _normalized_word(match.group(0))
        if any(token.startswith(word) for word in words):
            parts.append(escape(text[position : match.start()]))
            parts.append(f"<mark>{escape(match.group(0))}</mark>")
            position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above
