"""One rule per admin view: the view declares the permission it needs, and its menu
item asks the view's own declaration, so the menu and the view cannot disagree.

A view declares it the way Wagtail's generic views do (``PermissionCheckedMixin``): a
``permission_policy`` with ``permission_required`` and/or ``any_permission_required``.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from wagtail.admin.menu import MenuItem
from wagtail.permission_policies.base import BasePermissionPolicy


def _declared_policy(view_class) -> BasePermissionPolicy:
    policy = getattr(view_class, "permission_policy", None)
    declared = (
        getattr(view_class, "permission_required", None),
        getattr(view_class, "any_permission_required", None),
    )
    if not isinstance(policy, BasePermissionPolicy) or declared == (None, None):
        raise ImproperlyConfigured(
            f"{view_class.__name__} must declare permission_policy and "
            "permission_required or any_permission_required."
        )
    return policy


def user_may_open(view_class, user) -> bool:
    """What ``PermissionCheckedMixin.dispatch`` of ``view_class`` checks, without a
    request: ``permission_required`` and then ``any_permission_required``."""
    policy = _declared_policy(view_class)
    required = view_class.permission_required
    any_required = view_class.any_permission_required
    if required is not None and not policy.user_has_permission(user, required):
        return False
    if any_required is not None and not policy.user_has_any_permission(
        user, any_required
    ):
        return False
    return True


class ViewPermissionMenuItem(MenuItem):
    """A menu item shown to whoever may open ``view_class``."""

    def __init__(self, label, url, *, view_class, **kwargs):
        _declared_policy(view_class)  # refuse an undeclared view at start-up
        self.view_class = view_class
        super().__init__(label, url, **kwargs)

    def is_shown(self, request):
        return user_may_open(self.view_class, request.user)
