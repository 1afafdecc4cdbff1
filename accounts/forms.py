"""Forms of the Wagtail admin's sign-in pages."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm, PasswordResetForm

from .services import password_reset_mail_allowed
from .throttle import client_address


class AdminLoginForm(LoginForm):
    """Wagtail's sign-in form with its password field labelled: Wagtail declares it
    without a label, so Django shows the English field name « Password »
    (``WAGTAILADMIN_USER_LOGIN_FORM``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Mot de passe")


class LimitedPasswordResetForm(PasswordResetForm):
    """Wagtail's "forgotten password" form, under the API's limit on reset mails
    (``WAGTAILADMIN_USER_PASSWORD_RESET_FORM``). Past the limit nothing is sent and the
    page still says a mail is on its way."""

    def save(self, *args, request=None, **kwargs):
        allowed = password_reset_mail_allowed(
            email=self.cleaned_data["email"],
            address=client_address(request) if request is not None else "",
        )
        if allowed:
            super().save(*args, request=request, **kwargs)
