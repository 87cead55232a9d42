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
