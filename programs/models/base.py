from django.db import models


class NaturalKeyManager(models.Manager):
    """Fixtures refer to specialties, organizations and programs by slug, not by id."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)
