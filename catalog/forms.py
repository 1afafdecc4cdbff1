from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Company

from .autodesk_csv import ENCODINGS, MAX_FILE_BYTES


class SubscriptionImportForm(forms.Form):
    company = forms.ModelChoiceField(
        label=_("Société cliente"), queryset=Company.objects.filter(is_active=True)
    )
    file = forms.FileField(
        label=_("Export Autodesk Account (CSV)"),
        help_text=_("Séparateur , ou ; — UTF-8 (avec ou sans BOM) ou Windows-1252."),
    )
    encoding = forms.TypedChoiceField(
        label=_("Encodage"),
        choices=list(ENCODINGS.items()),
        initial="auto",
        required=False,
        empty_value="auto",
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
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("Fichier trop volumineux (%(mb)d Mo au plus) : découpez-le.")
                % {"mb": MAX_FILE_BYTES // 1024 // 1024}
            )
        return upload
