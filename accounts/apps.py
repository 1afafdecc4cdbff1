from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users import apps as wagtail_users_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    label = "accounts"
    verbose_name = _("Comptes clients")


class UsersAppConfig(wagtail_users_apps.WagtailUsersAppConfig):
    """Wagtail's user admin, with the person's company and role on its forms."""

    default = False
    user_viewset = "accounts.views.UserViewSet"
