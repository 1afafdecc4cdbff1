from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Company

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class SubscriptionImportForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Société cliente"), queryset=Company.objects.filter(is_active=True)
    )
    file = forms.FileField(
        label=_("Export Autodesk Account (CSV)"),
        help_text=_("Séparateur , ou ; — UTF-8 (avec ou sans BOM) ou Windows-1252."),
    )
    dry_run = forms.BooleanField(
        label=_("Simulation (n'enregistre rien)"), required=False, initial=True
    )
    skip_invalid = forms.BooleanField(
        label=_("Importer les lignes valides même si d'autres sont invalides"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Fichier trop volumineux (20 Mo au plus)."))
        return upload
