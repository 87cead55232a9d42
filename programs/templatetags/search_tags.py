from django import template

from ..search import highlight as highlight_words

register = template.Library()


@register.filter(is_safe=True)
def highlight(text, words):
    """{{ program.name|highlight:search_words }}: the words of the search marked."""
    return highlight_words(text, words)


@register.filter
def get_item(mapping, key):
    """{{ counts|get_item:value }}: a dictionary lookup with a variable key."""
    return (mapping or {}).get(key)


@register.filter
def is_in(value, collection):
    return value in (collection or ())
