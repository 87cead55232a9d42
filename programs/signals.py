"""A program's search fields and filter tokens follow its places, staffing and specialties
whichever code changes them: on PostgreSQL the list's filters read the tokens, so a place
added through the ORM, a shell or a data migration must show at once, as the page cache's
invalidation already makes it (directory/pagecache.py). Bulk writes (bulk_create, update())
send no signal: the commands that use them call refresh_search() themselves."""

import contextlib
import threading

_paused = threading.local()


@contextlib.contextmanager
def paused():
    """No refresh inside the block: for loaddata, which saves rows raw but sets each program's
    specialties through the ORM before its places are in. The caller restores the search
    fields from the data itself, or refreshes once at the end."""
    was_paused = getattr(_paused, "active", False)
    _paused.active = True
    try:
        yield
    finally:
        _paused.active = was_paused


def _refreshing():
    return not getattr(_paused, "active", False)


def refresh_program(sender, instance, **kwargs):
    """After a Place or StaffingRequirement is saved or deleted."""
    from .models import Program

    if kwargs.get("raw") or not _refreshing():
        return  # loaddata: the fixture, or the command after it, gives the search fields
    Program.objects.filter(pk=instance.program_id).refresh_search()


def refresh_specialty_links(sender, instance, action, reverse, pk_set, **kwargs):
    """After program.specialties (or specialty.programs) changes."""
    from .models import Program

    if not _refreshing():
        return
    if reverse and action == "pre_clear":
        # specialty.programs.clear() names no program afterwards: note them before.
        _remember_programs(instance)
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        Program.objects.filter(pk=instance.pk).refresh_search()
    elif action == "post_clear":
        _refresh_remembered(instance)
    elif pk_set:
        Program.objects.filter(pk__in=pk_set).refresh_search()


def _remember_programs(specialty):
    specialty._programs_to_refresh = list(specialty.programs.values_list("pk", flat=True))


def _refresh_remembered(specialty):
    from .models import Program

    pks = getattr(specialty, "_programs_to_refresh", None)
    if pks:
        Program.objects.filter(pk__in=pks).refresh_search()


# A Specialty's links to programs are deleted with it without a signal: its programs are
# noted before and refreshed after, so that their search fields and filter tokens lose it.


def before_specialty_delete(sender, instance, **kwargs):
    if _refreshing():
        _remember_programs(instance)


def after_specialty_delete(sender, instance, **kwargs):
    if _refreshing():
        _refresh_remembered(instance)
