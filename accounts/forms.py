"""Forms of the Wagtail admin's sign-in pages."""

from wagtail.admin.forms.auth import PasswordResetForm

from .services import password_reset_mail_allowed
from .throttle import client_address


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
