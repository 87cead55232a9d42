from django import template

from ..search import highlight as highlight_words

register = template.Library()


@register.filter(is_safe=True)
def highlight(text, words):
    """{{ program.name|highlight:search_words }}: the words of the search marked."""
    return highlight_words(text, words)
