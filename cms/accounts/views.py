"""Admin views: Wagtail's user admin with the company and role of each person."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import Company, User


class PersonFieldsMixin(forms.Form):
    company = forms.ModelChoiceField(
        queryset=Company.objects.all(),
        required=False,
        label=_("Société cliente"),
        help_text=_("Vide pour le personnel d'Aplicit."),
    )
    role = forms.ChoiceField(choices=User.Role.choices, label=_("Rôle dans la société"))


class PersonCreationForm(PersonFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"company", "role"}


class PersonEditForm(PersonFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"company", "role"}


class UserViewSet(WagtailUserViewSet):
    create_template_name = "accounts/user_create.html"
    edit_template_name = "accounts/user_edit.html"

    def get_form_class(self, for_update=False):
        return PersonEditForm if for_update else PersonCreationForm
