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

The document also holds the program's filter tokens (`filter_tokens()`): one lexeme per
country, region, specialty and needed role, and one when it takes trainees. They begin with
"=", which no typed word can (normalize() keeps letters and digits only), so they never match a
search. The list's filters are conditions on these tokens (ProgramQuerySet.in_countries() and
the others), served by the same GIN index as the words: a search with filters is one index
lookup, not the words' matches joined to places and staffing row by row.

SQLite: each word must be a substring of one of the fields; names rank before terms before
text.
"""

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

TOKEN_PREFIXES = {"country": "=c", "region": "=g", "specialty": "=s", "role": "=r"}
TAKES_TRAINEES = "=t"


def token(kind, value):
    """The lexeme that stands for `value` of `kind`: token("country", "PE") == "=cPE"."""
    return TOKEN_PREFIXES[kind] + str(value)


def filter_tokens(program):
    """The sorted filter tokens of `program`, whose places, specialties and staffing are
    loaded (ProgramQuerySet.for_search_refresh)."""
    from .regions import region_of

    tokens = set()
    for place in program.places.all():
        code = place.country.code
        tokens.add(token("country", code))
        region = region_of(code)
        if region is not None:
            tokens.add(token("region", region.slug))
    for specialty in program.specialties.all():
        tokens.add(token("specialty", specialty.slug))
    for requirement in program.staffing_requirements.all():
        tokens.add(token("role", requirement.role))
        if requirement.accepts_trainees:
            tokens.add(TAKES_TRAINEES)
    return sorted(tokens)


class Lexemes(SearchQuery):
    """A tsquery written in the tsquery syntax, its lexemes taken as they are: a text search
    configuration would split "=cPE" into words."""

    template = "(%(expressions)s)::tsquery"

    def __init__(self, text):
        super().__init__(text, search_type="raw")


def any_token(kind, values):
    """The condition "has a token of `kind` for one of `values`", for search_vector=."""
    # Tokens hold letters, digits, "-", "_" and "=" only (codes, slugs, choices): quoting each
    # is all the tsquery syntax needs.
    return Lexemes(" | ".join(f"'{token(kind, value)}'" for value in sorted(set(values))))


def trainees_token():
    return Lexemes(f"'{TAKES_TRAINEES}'")


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


def similar_words(words):
    """{typed word: [words of the directory it may be a typo of]}, for the typed words of
    TYPO_MIN_LENGTH or more that are not themselves a word of the directory. One query over
    the lexicon (SearchWord), served by its trigram index."""
    candidates = [word for word in words if len(word) >= TYPO_MIN_LENGTH]
    if not candidates:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT typed.word, near.word
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
            """,
            [candidates, TYPO_SIMILARITY, TYPO_ALTERNATIVES],
        )
        found = {}
        for typed, near in cursor.fetchall():
            found.setdefault(typed, []).append(near)
    return found


def tsquery(words, alternatives):
    """Every word, as a prefix or as one of its near spellings: (cleft:*) & (plate:* | palate).
    The words are normalized to letters and digits, so the raw syntax is safe."""
    parts = []
    for word in words:
        options = [f"{word}:*", *alternatives.get(word, [])]
        parts.append("(" + " | ".join(options) + ")")
    return " & ".join(parts)


def postgresql_search(queryset, words, typos=None):
    from django.contrib.postgres.search import SearchQuery, SearchRank

    if typos is None:
        typos = similar_words(words)
    query = SearchQuery(tsquery(words, typos), search_type="raw", config="simple")
    # One condition on the stored document, served by its GIN index; ranked by the weights
    # of the words found.
    return queryset.filter(search_vector=query).annotate(
        search_rank=SearchRank(F("search_vector"), query)
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


def search(queryset, text, typos=None):
    """`queryset` narrowed to the programs matching every word of `text`, annotated with
    `search_rank` (higher is better). `typos`, the result of similar_words() for these words,
    saves looking them up again when one search is applied to several querysets."""
    words = query_words(text)
    if not words:
        return queryset
    if is_postgresql():
        return postgresql_search(queryset, words, typos)
    return substring_search(queryset, words)


# --- Highlighting -------------------------------------------------------------------------


def highlight(text, words):
    """`text`, escaped, with each word that starts with one of `words` (compared without
    accents or case) wrapped in <mark>."""
    text = str(text or "")
    if not words:
        return escape(text)
    parts = []
    position = 0
    for match in re.finditer(r"\w+", text):
        token = normalize(match.group(0))
        if any(token.startswith(word) for word in words):
            parts.append(escape(text[position : match.start()]))
            parts.append(f"<mark>{escape(match.group(0))}</mark>")
            position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped above
