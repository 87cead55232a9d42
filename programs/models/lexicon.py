from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchWord(models.Model):
    """A word of the directory's names and terms (programs.search): the vocabulary a typed
    word is compared with when it is not one of them, to forgive a typo. Written by
    ProgramQuerySet.refresh_search(); a word that no longer occurs does no harm."""

    word = models.CharField(_("word"), max_length=100, unique=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self):
        return self.word


class SearchLexeme(models.Model):
    """PostgreSQL: every word of the programs' search documents, so that a typed word can be
    matched as the words it begins rather than as a prefix (programs.search.look_up).

    Written only by the trigger that keeps the search entries (migration 0005), from each
    document as it is written, so it holds every word of every document; a word that no
    longer occurs costs a search nothing. SQLite keeps none."""

    word = models.TextField(_("word"), primary_key=True)

    class Meta:
        verbose_name = _("search lexeme")
        verbose_name_plural = _("search lexemes")

    def __str__(self):
        return self.word
