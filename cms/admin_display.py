"""How the admin's inspect views show a value Wagtail would print raw: an empty
value as « — » and a boolean as « Oui » / « Non » (Wagtail prints ``None``,
``True`` and ``False``). Registered for every model field in ``CmsConfig.ready``."""

from __future__ import annotations

from django.db import models
from wagtail.admin.ui.fields import BaseFieldDisplay, register_display_class


class FieldValueDisplay(BaseFieldDisplay):
    """Any other value renders as Wagtail renders it (``{{ value|localize }}``)."""

    template_name = "cms/admin/field_value.html"

    def get_context_data(self, parent_context):
        value = self.value
        if isinstance(value, list | tuple):  # a JSON list (scopes): its items
            value = ", ".join(map(str, value)) or None
        return {"value": value}


def field_display_register() -> None:
    # The most specific registration wins: Wagtail's image and document displays
    # (foreign keys to those models) are kept.
    register_display_class(models.Field, display_class=FieldValueDisplay)
    register_display_class(
        models.ForeignKey, to=models.Model, display_class=FieldValueDisplay
    )
