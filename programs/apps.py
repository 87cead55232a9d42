from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Directory")

    def ready(self):
        from directory import pagecache

        # Cached public pages go stale on any write to the content (directory/pagecache.py
        # says why this is a signal).
        post_save.connect(pagecache.on_model_change, dispatch_uid="pagecache-save")
        post_delete.connect(pagecache.on_model_change, dispatch_uid="pagecache-delete")
        m2m_changed.connect(pagecache.on_m2m_change, dispatch_uid="pagecache-m2m")

        from . import signals
        from .models import Place, Program, Specialty, StaffingRequirement

        for model in (Place, StaffingRequirement):
            post_save.connect(signals.refresh_program, sender=model, dispatch_uid=f"search-{model}")
            post_delete.connect(
                signals.refresh_program, sender=model, dispatch_uid=f"search-del-{model}"
            )
        m2m_changed.connect(
            signals.refresh_specialty_links,
            sender=Program.specialties.through,
            dispatch_uid="search-specialties",
        )
        pre_delete.connect(
            signals.before_specialty_delete, sender=Specialty, dispatch_uid="search-specialty-del"
        )
        post_delete.connect(
            signals.after_specialty_delete, sender=Specialty, dispatch_uid="search-specialty-gone"
        )
