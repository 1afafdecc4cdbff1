"""The « Support technique » group's rights on the download pages: Aplicit engineers
who maintain the clients' catalogue write and publish the downloads.

Migration ``catalog.0004_support_group`` creates the group with its model permissions
(and ``kbsearch.0006`` adds search analytics). Page permissions need the
« Téléchargements » index, which may not exist at migration time:
``support_setup_ensure`` grants them once it does (the ``after_create_page`` hook and
the demo loader call it).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Page

SUPPORT_GROUP = "Support technique"

# On the download index, and so on every download page below it.
DOWNLOAD_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


@transaction.atomic
def support_setup_ensure(*, index_page: Page) -> Group | None:
    """Let « Support technique » write and publish the download pages below
    ``index_page``. Idempotent; does nothing if the group has been deleted."""
    group = Group.objects.filter(name=SUPPORT_GROUP).first()
    if group is None:
        return None
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=DOWNLOAD_PAGE_PERMISSIONS
    ):
        GroupPagePermission.objects.get_or_create(
            group=group, page=index_page, permission=permission
        )
    return group
