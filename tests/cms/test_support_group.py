"""The « Support technique » group: created by a migration with the catalogue's
rights, given the download pages once their index exists, joined by the demo's
engineer."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from wagtail.models import GroupPagePermission, Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from accounts.models import User
from catalog import demo as catalog_demo
from cms import demo as cms_demo
from downloads import demo as downloads_demo
from downloads.groups import SUPPORT_GROUP
from downloads.models import DownloadIndexPage
from tests.downloads.helpers import download_index
from tests.factories import StaffFactory

group_migration_key = ("catalog", "0004_support_group")
group_migration = importlib.import_module("catalog.migrations.0004_support_group")


def rights(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_support_group_maintains_the_catalogue_and_reads_the_audit(db):
    granted = rights(Group.objects.get(name=SUPPORT_GROUP))

    assert {
        "wagtailadmin.access_admin",
        "catalog.add_subscription",
        "catalog.change_subscription",
        "catalog.delete_licence",
        "catalog.change_product",
        "catalog.change_supportcontract",
        "downloads.view_downloadevent",
        "catalog.view_renewalreminder",
        "accounts.change_company",
        "kbsearch.view_searchquerydaily",
    } <= granted
    assert not granted & {
        "downloads.change_downloadevent",
        "downloads.delete_downloadevent",
        "catalog.delete_renewalreminder",
        "accounts.add_company",
        "accounts.delete_company",
        "accounts.view_servicetoken",
        "knowledge.change_category",
    }


def test_group_migration_reverses_and_grants_an_existing_download_index(db):
    index = download_index()
    # The models as that migration knows them (the download pages were the
    # catalog's then).
    apps = MigrationLoader(connection).project_state(group_migration_key).apps
    group_migration.delete_support_group(apps, None)
    assert not Group.objects.filter(name=SUPPORT_GROUP).exists()

    group_migration.create_support_group(apps, None)

    group = Group.objects.get(name=SUPPORT_GROUP)
    assert "catalog.add_subscription" in rights(group)
    on_index = GroupPagePermission.objects.filter(group=group, page=index)
    assert {p.permission.codename for p in on_index} == {
        "add_page",
        "change_page",
        "publish_page",
    }


def test_demo_engineer_joins_support_and_publishes_downloads(db):
    cms_demo.load_people()
    catalog_demo.load()
    downloads_demo.load()
    downloads_demo.load()

    engineer = User.objects.get(email="engineer@aplicit.example")
    assert {g.name for g in engineer.groups.all()} == {"Editors", SUPPORT_GROUP}
    index = DownloadIndexPage.objects.get()
    assert index.permissions_for_user(engineer).can_add_subpage()
    assert index.get_children().first().permissions_for_user(engineer).can_publish()
    lead = User.objects.get(email="lead@aplicit.example")
    assert not lead.groups.filter(name=SUPPORT_GROUP).exists()
    assert GroupPagePermission.objects.filter(group__name=SUPPORT_GROUP).count() == 3


@pytest.mark.django_db
def test_download_index_created_in_the_admin_opens_to_support(client):
    client.force_login(StaffFactory(email="root@aplicit.example", is_superuser=True))
    root = Page.get_first_root_node()

    response = client.post(
        f"/admin/pages/add/downloads/downloadindexpage/{root.pk}/",
        nested_form_data(
            {
                "title": "Téléchargements",
                "slug": "telechargements",
                "intro": rich_text(""),
                "comments": inline_formset([]),
                "action-publish": "publish",
            }
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    support = StaffFactory(email="support@aplicit.example")
    support.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    index = DownloadIndexPage.objects.get()
    assert index.permissions_for_user(support).can_add_subpage()
