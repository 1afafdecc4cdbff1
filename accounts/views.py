"""Admin views: Wagtail's user admin with the company and role of each person."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import Company, ServiceToken, User
from .services import service_token_create


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


class ServiceTokenCreateForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=ServiceToken.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Portées"),
    )

    class Meta:
        model = ServiceToken
        fields = ["name", "scopes"]


class ServiceTokenEditForm(forms.ModelForm):
    revoke = forms.BooleanField(
        required=False,
        label=_("Révoquer ce jeton"),
        help_text=_("Le système qui l'utilise sera refusé dès maintenant."),
    )

    class Meta:
        model = ServiceToken
        fields = ["name"]

    def save(self, commit=True):
        if self.cleaned_data.get("revoke") and self.instance.revoked_at is None:
            self.instance.revoked_at = timezone.now()
        return super().save(commit=commit)


class ServiceTokenCreateView(CreateView):
    def save_instance(self):
        token, self.raw_token = service_token_create(
            name=self.form.cleaned_data["name"],
            scopes=self.form.cleaned_data["scopes"],
            created_by=self.request.user,
        )
        log(instance=token, action="wagtail.create", user=self.request.user)
        return token

    def get_success_message(self, instance):
        return _(
            "Jeton « %(name)s » créé. Copiez-le maintenant, il ne sera plus affiché : "
            "%(token)s"
        ) % {"name": instance.name, "token": self.raw_token}


class ServiceTokenViewSet(ModelViewSet):
    """Machine clients' tokens: created here (the raw value is shown once), revoked by
    editing; only a hash is stored."""

    model = ServiceToken
    icon = "key"
    menu_label = _("Jetons de service")
    add_to_settings_menu = True
    list_display = [
        "name",
        "key_prefix",
        "scopes",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    add_view_class = ServiceTokenCreateView
    inspect_view_enabled = True

    def get_form_class(self, for_update=False):
        return ServiceTokenEditForm if for_update else ServiceTokenCreateForm
