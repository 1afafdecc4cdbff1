"""The knowledge base's editorial set-up: engineers write, leads approve.

``ensure_editorial_setup`` is idempotent. The demo loader calls it, and so does the
``after_create_page`` hook when an editor creates the knowledge index in a real
deployment; migration 0002 creates the workflow itself.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

WORKFLOW_NAME = "Relecture technique"
TASK_NAME = "Relecture par un responsable"
EDITORS = "Editors"
MODERATORS = "Moderators"

# Page permissions on the knowledge index (and so on every article below it).
PAGE_PERMISSIONS = {
    EDITORS: ("add_page", "change_page", "publish_page"),
    MODERATORS: ("add_page", "change_page", "publish_page"),
}


@transaction.atomic
def editorial_workflow_ensure() -> Workflow:
    """The "Relecture technique" workflow: one approval task for the Moderators."""
    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(moderators)
    workflow, _ = Workflow.objects.get_or_create(
        name=WORKFLOW_NAME, defaults={"active": True}
    )
    WorkflowTask.objects.get_or_create(
        workflow=workflow, task=task, defaults={"sort_order": 0}
    )
    return workflow


@transaction.atomic
def editorial_setup_ensure(*, index_page: Page) -> Workflow:
    """Attach the workflow to the knowledge index and give engineers and leads the
    right to write and publish below it."""
    workflow = editorial_workflow_ensure()
    WorkflowPage.objects.update_or_create(
        page=index_page, defaults={"workflow": workflow}
    )
    for group_name, codenames in PAGE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        admin_access = Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        )
        group.permissions.add(admin_access)
        for codename in codenames:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page=index_page, permission=permission
            )
    return workflow
