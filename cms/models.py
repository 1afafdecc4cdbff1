"""The content generation: one row, moved on after every committed change that can
alter an API answer, so that every process's cached answers (:mod:`cms.api.
response_cache`) are dropped at once — the row is in the database all processes
share, not in a per-process cache."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ContentGeneration(models.Model):
    value = models.BigIntegerField("génération", default=0)
    changed_at = models.DateTimeField("modifiée le", default=timezone.now)

    class Meta:
        verbose_name = "génération du contenu"
        verbose_name_plural = "générations du contenu"

    def __str__(self) -> str:
        return f"génération {self.value}"
