"""
Text search over programs, the same words on every database.

Each program keeps three search fields, written by `document_fields()` whenever the program or
what it shows changes (ProgramQuerySet.refresh_search()): its names (program and
organization), its terms (specialties with their synonyms, places, and country names in every
interface language, so "Kolumbien" finds Colombia) and its text (description, needs, wording).
They are stored lower-case without accents, so that "Cordoba" finds "Córdoba" with no
database extension.

PostgreSQL: full-text search in the language-neutral "simple" configuration (no stemming
that would suit one language and mangle the others) weighted A/B/C over those fields, each word
matched as a prefix ("burn" finds "burns"), or, for a typo, by trigram similarity to a word of
the names or terms ("cleft plate" finds "cleft palate"). GIN indexes keep both fast.
Results are ranked by weight, and by similarity for typos.

SQLite: each word must be a substring of one of the fields; names rank before terms before
text.
"""

import functools
import re
import unicodedata

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django_countries import countries

# Words shorter than this are not tried as typos: "lima" would find "limb".
TYPO_MIN_LENGTH = 5
# How alike a typed word and a word of the program must be is pg_trgm's
# word_similarity_threshold, set for every connection in settings (0.5).
MAX_WORDS = 8


def normalize(text):
    """Lower case, accents removed, punctuation as spaces: "Córdoba, AR" -> "cordoba ar"."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("œ", "oe")
    return " ".join(re.findall(r"\w+", text))


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
    }


def is_postgresql():
    return connection.vendor == "postgresql"


# --- PostgreSQL ---------------------------------------------------------------------------


def search_vector():
    """The weighted document. The GIN index (migration 0003) is on this same expression, so
    the query must build it the same way."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("search_names", weight="A", config="simple")
        + SearchVector("search_terms", weight="B", config="simple")
        + SearchVector("search_text", weight="C", config="simple")
    )


def postgresql_search(queryset, words):
    from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity

    vector = search_vector()
    queryset = queryset.annotate(search_document=vector)
    for word in words:
        matches = Q(search_document=SearchQuery(f"{word}:*", search_type="raw", config="simple"))
        if len(word) >= TYPO_MIN_LENGTH:
            matches |= Q(search_names__trigram_word_similar=word)
            matches |= Q(search_terms__trigram_word_similar=word)
        queryset = queryset.filter(matches)
    everything = SearchQuery(
        " | ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
    )
    typos = [w for w in words if len(w) >= TYPO_MIN_LENGTH]
    similarity = Value(0.0, output_field=FloatField())
    for word in typos:
        similarity = similarity + TrigramWordSimilarity(word, "search_terms")
    return queryset.annotate(
        search_rank=SearchRank(F("search_document"), everything) + similarity * 0.1
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


def search(queryset, text):
    """`queryset` narrowed to the programs matching every word of `text`, annotated with
    `search_rank` (higher is better)."""
    words = query_words(text)
    if not words:
        return queryset
    if is_postgresql():
        return postgresql_search(queryset, words)
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
