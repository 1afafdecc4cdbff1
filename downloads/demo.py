"""Demo downloads (``load_demo_data``): the « Téléchargements » index and a few
pages of the demo's products, with small deterministic files. Idempotent; runs after
the catalogue's loader (it needs the products and releases)."""

from __future__ import annotations

import datetime
import hashlib

from django.core.files.base import ContentFile
from wagtail.models import Page, Site

from accounts.models import User
from catalog.models import Product, ProductRelease

from .groups import support_setup_ensure
from .models import DownloadFile, DownloadIndexPage, DownloadPage

# (slug, title, kind, product, releases, version, release date, public, notes, files)
# Durand holds AutoCAD and Revit, BTP Inventor, Morel nothing any more: each company
# may download the public utility and is refused at least one page.
DOWNLOADS = [
    (
        "autocad-2026-1-1",
        "AutoCAD 2026.1.1 — mise à jour",
        "update",
        "autocad",
        ["2026"],
        "2026.1.1",
        datetime.date(2025, 10, 14),
        False,
        "<p>Corrige l'affichage des hachures dans les fenêtres de présentation et "
        "un plantage à l'ouverture de fichiers DWG issus de Civil 3D.</p>",
        [("AutoCAD_2026.1.1_Update_win64.exe", "windows", "fr")],
    ),
    (
        "revit-2025-hotfix-4-2",
        "Revit 2025.4.2 — correctif urgent",
        "hotfix",
        "revit",
        ["2025"],
        "2025.4.2",
        datetime.date(2025, 6, 3),
        False,
        "<p>Corrige la perte des liens IFC à la synchronisation avec le modèle "
        "central (Revit 2025 uniquement).</p>",
        [("Revit_2025.4.2_Hotfix.exe", "windows", "multi")],
    ),
    (
        "inventor-2026-patch-2",
        "Inventor 2026 — patch 2",
        "patch",
        "inventor",
        [],
        "2026.0.2",
        datetime.date(2025, 9, 2),
        False,
        "<p>Améliore les performances des grands assemblages et corrige l'export "
        "STEP des pièces en tôlerie.</p>",
        [
            ("Inventor_2026_Patch2_fr.exe", "windows", "fr"),
            ("Inventor_2026_Patch2_en.exe", "windows", "en"),
        ],
    ),
    (
        "outil-reinitialisation-licences",
        "Outil de réinitialisation des licences Autodesk",
        "utility",
        "autocad",
        [],
        "1.4",
        datetime.date(2025, 4, 22),
        True,
        "<p>Réinitialise le service de licences Autodesk (AdskLicensing) quand un "
        "logiciel refuse de démarrer. Gratuit, sans abonnement.</p>",
        [("Aplicit_Reset_Licensing_1.4.zip", "windows", "fr")],
    ),
]


def _demo_bytes(name: str) -> bytes:
    """Small, deterministic bytes standing in for an installer (same file, same
    SHA-256, on every load)."""
    header = f"Aplicit demo download: {name}\n".encode()
    return header + hashlib.sha256(name.encode()).digest() * 512


def load() -> None:
    index = DownloadIndexPage.objects.first()
    if index is None:
        site = Site.objects.filter(is_default_site=True).first()
        parent = site.root_page if site else Page.get_first_root_node()
        index = DownloadIndexPage(
            title="Téléchargements",
            slug="telechargements",
            intro="<p>Mises à jour, correctifs et utilitaires de vos logiciels "
            "Autodesk.</p>",
        )
        parent.add_child(instance=index)
        index.save_revision().publish()
    load_support_team(index)
    for (
        slug,
        title,
        kind,
        code,
        versions,
        version,
        released,
        public,
        notes,
        files,
    ) in DOWNLOADS:
        page = DownloadPage.objects.filter(slug=slug).first()
        if page is not None:
            for file in page.files.all():  # storage emptied since the last load
                if not file.file.storage.exists(file.file.name):
                    data = _demo_bytes(file.file_name)
                    file.file.save(file.file_name, ContentFile(data), save=True)
            continue
        product = Product.objects.get(code=code)
        page = DownloadPage(
            title=title,
            slug=slug,
            kind=kind,
            product=product,
            version=version,
            release_date=released,
            is_public=public,
            is_latest=True,
            release_notes=notes,
        )
        page.releases = list(
            ProductRelease.objects.filter(product=product, version__in=versions)
        )
        page.files = [
            DownloadFile(
                platform=platform,
                language=language,
                file_name=name,
                file=ContentFile(_demo_bytes(name), name=name),
            )
            for name, platform, language in files
        ]
        index.add_child(instance=page)
        page.save_revision().publish()


# The demo's engineer writes articles (Editors) and maintains the catalogue.
SUPPORT_ENGINEERS = ["engineer@aplicit.example"]


def load_support_team(index_page) -> None:
    """« Support technique »: rights on the download index, and its demo members."""
    group = support_setup_ensure(index_page=index_page)
    if group is not None:
        group.user_set.add(*User.objects.filter(email__in=SUPPORT_ENGINEERS))
