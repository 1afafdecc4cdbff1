"""Demo knowledge base (``load_demo_data``): index, categories, authors, articles.

Idempotent: everything is matched by slug (or name), and an article that already
exists is left as it is, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page, Site

from accounts.models import Company, User
from catalog.models import Product, ProductRelease

from .models import (
    ArticleFeedback,
    ArticlePage,
    Audience,
    Author,
    Category,
    FeedbackReason,
    KnowledgeIndexPage,
)
from .workflow import editorial_setup_ensure

INDEX_SLUG = "base-de-connaissances"

# (code, name); releases are 2024, 2025, 2026. catalog.demo owns the real catalogue:
# these are only created when it has not run.
PRODUCTS = [
    ("autocad", "AutoCAD"),
    ("revit", "Revit"),
    ("inventor", "Inventor Professional"),
    ("civil-3d", "Civil 3D"),
    ("vault", "Vault Professional"),
    ("aec-collection", "AEC Collection"),
    ("pdm-collection", "Product Design & Manufacturing Collection"),
]
RELEASE_DATES = {
    "2024": dt.date(2023, 3, 28),
    "2025": dt.date(2024, 3, 26),
    "2026": dt.date(2025, 3, 25),
}

# (slug, name, parent slug)
CATEGORIES = [
    ("autocad", "AutoCAD", None),
    ("autocad-installation", "Installation", "autocad"),
    ("autocad-performances", "Performances", "autocad"),
    ("revit", "Revit", None),
    ("revit-familles", "Familles", "revit"),
    ("revit-worksharing", "Worksharing", "revit"),
    ("inventor", "Inventor", None),
    ("civil-3d", "Civil 3D", None),
    ("vault", "Vault", None),
    ("licences", "Licences", None),
    ("licences-serveur", "Serveur de licences", "licences"),
    ("licences-activation", "Activation", "licences"),
    ("mises-a-jour", "Mises à jour", None),
]

# (key, display name, job title, user e-mail)
AUTHORS = [
    ("julien", "Julien Lefèvre", "Ingénieur support AEC", "engineer@aplicit.example"),
    ("nadia", "Nadia Benali", "Responsable support technique", "lead@aplicit.example"),
]


# Body blocks, in the raw form StreamField accepts.
def p(html: str) -> dict:
    return {"type": "paragraph", "value": html}


def h(text: str, level: str = "h2") -> dict:
    return {"type": "heading", "value": {"text": text, "level": level}}


def code(language: str, text: str, caption: str = "") -> dict:
    return {
        "type": "code",
        "value": {"language": language, "code": text, "caption": caption},
    }


def callout(kind: str, title: str, html: str) -> dict:
    return {"type": "callout", "value": {"kind": kind, "title": title, "text": html}}


def procedure(title: str, *steps: tuple[str, str]) -> dict:
    return {
        "type": "procedure",
        "value": {
            "title": title,
            "steps": [
                {"title": t, "text": f"<p>{x}</p>" if x else ""} for t, x in steps
            ],
        },
    }


def table(*rows: list[str]) -> dict:
    return {
        "type": "table",
        "value": {
            "data": [list(r) for r in rows],
            "first_row_is_table_header": True,
            "first_col_is_header": False,
            "table_caption": "",
        },
    }


@dataclass
class DemoArticle:
    slug: str
    title: str
    category: str
    summary: str
    body: list[dict]
    products: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=lambda: ["julien"])
    audience: str = Audience.PUBLIC
    companies: list[str] = field(default_factory=list)
    days_ago: int = 30
    reviewed_days_ago: int | None = 30
    # "published", "draft", "scheduled" (goes live in 10 days) or "expired"
    state: str = "published"


LICENSE_FILE = """SERVER srv-lic01 0050569A1B2C 27000
VENDOR adskflex port=2080
USE_SERVER
INCREMENT 87545ACD_2026_0F adskflex 1.000 permanent 25 ..."""

ARTICLES = [
    DemoArticle(
        "erreur-licence-15-570-0",
        "Erreur de licence -15.570.0 au démarrage d'AutoCAD",
        "licences-serveur",
        "Le poste ne joint pas le serveur de licences réseau : vérifier le port "
        "27000, le démon adskflex et le pare-feu.",
        [
            p(
                "<p>L'erreur <code>-15.570.0</code> signifie que le client FlexNet "
                "n'a pas pu joindre le serveur de licences. Elle apparaît surtout "
                "après un changement de serveur ou une mise à jour Windows.</p>"
            ),
            procedure(
                "Diagnostic",
                ("Tester le port", "Depuis le poste, tester le port 27000 du serveur."),
                ("Vérifier le fichier LICPATH.LIC", "Il doit pointer vers le bon nom."),
                ("Redémarrer le service", "Dans LMTOOLS, onglet Start/Stop/Reread."),
            ),
            code(
                "powershell",
                "Test-NetConnection srv-lic01 -Port 27000\n"
                "Test-NetConnection srv-lic01 -Port 2080",
                "Les deux ports doivent répondre True.",
            ),
            callout(
                "warning",
                "Port du démon fournisseur",
                "<p>Sans <code>port=2080</code> sur la ligne VENDOR, le port change "
                "à chaque redémarrage et le pare-feu le bloque.</p>",
            ),
        ],
        ["autocad"],
        ["2025", "2026"],
        ["flexnet", "licence réseau", "erreur"],
        ["julien", "nadia"],
        days_ago=700,
        reviewed_days_ago=40,
    ),
    DemoArticle(
        "flexnet-erreur-96",
        "FlexNet erreur -96 : serveur de licences introuvable",
        "licences-serveur",
        "L'erreur -96 indique un nom de serveur que le poste ne résout pas : "
        "corriger le DNS ou utiliser l'adresse IP.",
        [
            p(
                "<p>FlexNet renvoie <code>-96</code> quand le nom d'hôte du fichier "
                "de licence ne se résout pas côté client.</p>"
            ),
            code("batch", "nslookup srv-lic01\nping -4 srv-lic01"),
            table(
                ["Symptôme", "Cause", "Correctif"],
                ["-96", "Nom inconnu du DNS", "Enregistrement A ou IP"],
                ["-15", "Port fermé", "Ouvrir 27000 et 2080"],
                ["-4", "Jetons épuisés", "Libérer ou ajouter des sièges"],
            ),
            callout("tip", "Astuce", "<p>Préférez l'IP fixe sur un réseau VPN.</p>"),
        ],
        ["autocad", "revit"],
        ["2026"],
        ["flexnet", "licence réseau", "erreur"],
        days_ago=650,
        reviewed_days_ago=500,
    ),
    DemoArticle(
        "licence-manager-is-not-functioning",
        "« Licence Manager is not functioning or is improperly installed »",
        "licences-activation",
        "Réinitialiser le service Autodesk Licensing et les fichiers de "
        "licence locaux pour corriger ce message au lancement.",
        [
            p(
                "<p>Ce message vient en général d'un service <em>Autodesk Desktop "
                "Licensing Service</em> arrêté ou d'un cache de licence corrompu.</p>"
            ),
            procedure(
                "Réparer le service de licence",
                ("Arrêter le service", "services.msc › Autodesk Desktop Licensing."),
                ("Mettre à jour", "Installer la dernière version du service."),
                ("Réinitialiser la licence", "Avec AdskLicensingInstHelper."),
            ),
            code(
                "batch",
                '"C:\\Program Files (x86)\\Common Files\\Autodesk Shared\\'
                'AdskLicensing\\Current\\helper\\AdskLicensingInstHelper.exe" '
                'change -pk 001R1 -pv 2026.0.0.F -lm ""',
                "Remet le type de licence à « à choisir » pour AutoCAD 2026.",
            ),
            callout(
                "info",
                "Clés produit",
                "<p>001R1 = AutoCAD 2026, 829R1 = Revit 2026.</p>",
            ),
        ],
        ["autocad", "revit", "inventor"],
        ["2026"],
        ["activation", "erreur"],
        days_ago=600,
        reviewed_days_ago=60,
    ),
    DemoArticle(
        "recuperer-dessin-endommage-recover-audit",
        "Récupérer un dessin endommagé avec RECOVER et AUDIT",
        "autocad",
        "Un DWG qui ne s'ouvre plus ou plante : RECOVER, AUDIT, puis les "
        "fichiers .bak et .sv$.",
        [
            p(
                "<p>Avant tout, travaillez sur une <strong>copie</strong> du "
                "fichier.</p>"
            ),
            procedure(
                "Réparer le dessin",
                ("RECOVER", "Ouvrir AutoCAD vide et lancer <code>RECOVER</code>."),
                ("AUDIT", "<code>AUDIT</code> puis répondre <em>Oui</em>."),
                ("PURGE", "<code>-PURGE</code> › Tout, puis enregistrer."),
            ),
            code(
                "lisp",
                "(defun c:REPARE ()\n"
                '  (command "_.AUDIT" "_Y")\n'
                '  (command "_.-PURGE" "_A" "*" "_N")\n'
                "  (princ))",
                "Enchaîne AUDIT et PURGE sur le dessin courant.",
            ),
            callout(
                "tip",
                "Fichiers de secours",
                "<p>Renommez le .bak en .dwg, ou cherchez le .sv$ dans "
                "<code>%TEMP%</code>.</p>",
            ),
        ],
        ["autocad"],
        ["2024", "2025", "2026"],
        ["dwg", "récupération"],
        days_ago=560,
        reviewed_days_ago=None,
    ),
    DemoArticle(
        "autocad-installation-deploiement-silencieux",
        "Déployer AutoCAD 2026 en silencieux",
        "autocad-installation",
        "Créer un déploiement depuis Autodesk Account et l'installer sans "
        "interaction sur les postes.",
        [
            p(
                "<p>Le déploiement se prépare depuis <em>Autodesk Account › "
                "Custom Install</em>.</p>"
            ),
            code(
                "batch",
                '"\\\\srv-deploy\\AutoCAD2026\\image\\Installer.exe" -i deploy '
                '--offline_mode -q -o "\\\\srv-deploy\\AutoCAD2026\\image\\'
                'Collection.xml"',
            ),
            callout(
                "warning",
                "Droits",
                "<p>Lancer en compte système (SCCM, Intune) ou administrateur.</p>",
            ),
            table(
                ["Option", "Effet"],
                ["-q", "Silencieux"],
                ["--offline_mode", "Sans accès Internet"],
            ),
        ],
        ["autocad"],
        ["2026"],
        ["installation", "déploiement"],
        days_ago=300,
        reviewed_days_ago=300,
    ),
    DemoArticle(
        "autocad-desinstallation-complete",
        "Désinstaller complètement AutoCAD avant une réinstallation",
        "autocad-installation",
        "Supprimer proprement AutoCAD, ses composants partagés et ses dossiers "
        "de profil avant de réinstaller.",
        [
            p("<p>Utilisez l'outil de désinstallation Autodesk (Uninstall Tool).</p>"),
            procedure(
                "Nettoyage",
                ("Uninstall Tool", "Désinstaller AutoCAD et ses extensions."),
                ("Dossiers", "Supprimer %APPDATA%\\Autodesk\\AutoCAD 2026."),
                ("Registre", "Exporter puis supprimer HKCU\\Software\\Autodesk."),
            ),
            code(
                "powershell",
                'Remove-Item "$env:APPDATA\\Autodesk\\AutoCAD 2026" -Recurse -Force',
            ),
            callout("danger", "Sauvegarde", "<p>Sauvegardez vos CUIX et LSP.</p>"),
        ],
        ["autocad"],
        ["2025", "2026"],
        ["installation"],
        days_ago=280,
        reviewed_days_ago=200,
    ),
    DemoArticle(
        "autocad-lenteur-carte-graphique",
        "AutoCAD lent : réglages graphiques et accélération matérielle",
        "autocad-performances",
        "Vérifier le pilote certifié, l'accélération matérielle et "
        "GRAPHICSCONFIG quand AutoCAD rame.",
        [
            p(
                "<p>La plupart des lenteurs viennent d'un pilote graphique non "
                "certifié.</p>"
            ),
            code("lisp", '(setvar "LAYOUTREGENCTL" 2)\n(setvar "SELECTIONPREVIEW" 0)'),
            callout(
                "tip",
                "Pilote",
                "<p>Installez le pilote « Studio » plutôt que « Game Ready ».</p>",
            ),
            table(
                ["Variable", "Valeur conseillée"],
                ["LAYOUTREGENCTL", "2"],
                ["SELECTIONPREVIEW", "0"],
                ["VTENABLE", "0"],
            ),
        ],
        ["autocad"],
        ["2025", "2026"],
        ["performances", "carte graphique"],
        ["nadia"],
        days_ago=250,
        reviewed_days_ago=250,
    ),
    DemoArticle(
        "autocad-fichier-lourd-purge",
        "Alléger un DWG trop lourd (PURGE, OVERKILL, objets DGN)",
        "autocad-performances",
        "Supprimer les styles de ligne DGN orphelins et les blocs inutiles qui "
        "alourdissent un dessin.",
        [
            p("<p>Un DWG de 50 Mo sans raison contient souvent des données DGN.</p>"),
            code("lisp", '(command "_.-PURGE" "_R" "*" "_N")\n(command "_.OVERKILL")'),
            callout("info", "DGN", "<p>Autodesk fournit un correctif DGN Purge.</p>"),
            procedure(
                "Nettoyer",
                ("PURGE", "Purger les applications enregistrées."),
                ("OVERKILL", "Supprimer les objets superposés."),
            ),
        ],
        ["autocad"],
        ["2026"],
        ["performances", "dwg"],
        days_ago=220,
        reviewed_days_ago=100,
    ),
    DemoArticle(
        "revit-familles-parametriques-bonnes-pratiques",
        "Familles Revit paramétriques : bonnes pratiques",
        "revit-familles",
        "Plans de référence, paramètres de type et contraintes : construire "
        "une famille robuste.",
        [
            h("Plans de référence d'abord"),
            p(
                "<p>Contraignez la géométrie aux plans de référence, jamais aux "
                "autres géométries.</p>"
            ),
            table(
                ["Paramètre", "Type", "Exemple"],
                ["Largeur", "Type", "900 mm"],
                ["Matériau", "Occurrence", "Chêne"],
            ),
            callout("tip", "Test", "<p>Faites « flexer » la famille.</p>"),
        ],
        ["revit"],
        ["2025", "2026"],
        ["familles", "bim"],
        days_ago=500,
        reviewed_days_ago=480,
    ),
    DemoArticle(
        "revit-famille-partagee-imbriquee",
        "Revit : familles imbriquées partagées et nomenclatures",
        "revit-familles",
        "Rendre une famille imbriquée partagée pour qu'elle apparaisse dans "
        "les nomenclatures.",
        [
            p("<p>Cochez <em>Partagé</em> dans les paramètres de la famille.</p>"),
            procedure(
                "Partager",
                ("Ouvrir la famille imbriquée", ""),
                ("Catégorie et paramètres › Partagé", ""),
                ("Recharger dans la famille hôte", ""),
            ),
            callout(
                "warning",
                "Nomenclature",
                "<p>Le paramètre doit être un paramètre partagé.</p>",
            ),
        ],
        ["revit"],
        ["2026"],
        ["familles"],
        days_ago=180,
        reviewed_days_ago=180,
    ),
    DemoArticle(
        "revit-worksharing-synchroniser-erreurs",
        "Worksharing Revit : erreurs de synchronisation avec le central",
        "revit-worksharing",
        "Résoudre « Le modèle central n'est pas accessible » et les conflits "
        "d'emprunt d'éléments.",
        [
            p(
                "<p>Vérifiez d'abord le chemin UNC du modèle central et les droits "
                "NTFS.</p>"
            ),
            code("powershell", 'Get-Acl "\\\\srv-projets\\BIM\\P123_central.rvt"'),
            callout(
                "danger",
                "Ne jamais copier le central",
                "<p>Utilisez <em>Enregistrer sous › Central</em>.</p>",
            ),
            procedure(
                "Récupérer",
                ("Détacher", "Ouvrir en détachant du central."),
                ("Enregistrer comme nouveau central", ""),
            ),
        ],
        ["revit"],
        ["2025", "2026"],
        ["worksharing", "bim"],
        ["nadia"],
        audience=Audience.PRODUCT_OWNERS,
        days_ago=420,
        reviewed_days_ago=420,
    ),
    DemoArticle(
        "revit-server-cache-local",
        "Revit : vider le cache local des modèles partagés",
        "revit-worksharing",
        "Quand un modèle local est corrompu, supprimer le cache CollaborationCache "
        "et recréer la copie locale.",
        [
            code(
                "powershell",
                'Remove-Item "$env:LOCALAPPDATA\\Autodesk\\Revit\\Autodesk Revit '
                '2026\\CollaborationCache" -Recurse',
            ),
            p("<p>Rouvrez ensuite le central avec <em>Créer nouveau local</em>.</p>"),
            callout("info", "Cloud", "<p>Valable aussi pour BIM Collaborate Pro.</p>"),
        ],
        ["revit"],
        ["2026"],
        ["worksharing", "cache"],
        audience=Audience.CLIENTS,
        days_ago=150,
        reviewed_days_ago=150,
    ),
    DemoArticle(
        "revit-gabarit-durand",
        "Gabarit Revit de l'Atelier Durand : installation et mises à jour",
        "revit",
        "Où trouver le gabarit RTE de l'atelier, comment le déployer et qui "
        "contacter pour le faire évoluer.",
        [
            p("<p>Le gabarit est maintenu par Aplicit pour l'Atelier Durand.</p>"),
            code(
                "ini",
                "[DirectoriesFRA]\n"
                "DefaultTemplate=Durand=\\\\srv-durand\\BIM\\Gabarits\\Durand_2026.rte",
                "Extrait de Revit.ini",
            ),
            callout("info", "Contact", "<p>Demandes au support Aplicit.</p>"),
        ],
        ["revit"],
        ["2026"],
        ["gabarit", "bim"],
        audience=Audience.COMPANIES,
        companies=["CLI-10421"],
        days_ago=120,
        reviewed_days_ago=120,
    ),
    DemoArticle(
        "btp-rhone-civil3d-styles",
        "BTP Rhône : styles Civil 3D et gabarit de profils en long",
        "civil-3d",
        "Le gabarit DWT de BTP Rhône Ingénierie, ses styles de profils en long "
        "et de tabulations.",
        [
            p(
                "<p>Le gabarit est déployé par GPO sur les postes du bureau "
                "d'études.</p>"
            ),
            table(
                ["Style", "Usage"],
                ["BTP-PL-1000", "Profil en long 1/1000"],
                ["BTP-PT-200", "Profils en travers 1/200"],
            ),
            code(
                "batch", 'xcopy "\\\\srv-btp\\C3D\\*.dwt" "%APPDATA%\\Autodesk\\C3D" /Y'
            ),
            callout("warning", "Version", "<p>Gabarit validé pour Civil 3D 2026.</p>"),
        ],
        ["civil-3d"],
        ["2026"],
        ["gabarit", "styles"],
        ["nadia"],
        audience=Audience.COMPANIES,
        companies=["CLI-10587"],
        days_ago=90,
        reviewed_days_ago=90,
    ),
    DemoArticle(
        "inventor-projet-ipj-chemins",
        "Inventor : fichiers projet (.ipj) et chemins de bibliothèques",
        "inventor",
        "Configurer un projet Inventor partagé, les bibliothèques et le Centre "
        "de contenu.",
        [
            p("<p>Un seul fichier .ipj par projet, stocké sur le serveur.</p>"),
            code(
                "xml",
                "<Library>\n  <LibraryName>Normalisé</LibraryName>\n"
                "  <LibraryPath>\\\\srv\\Biblio</LibraryPath>\n</Library>",
            ),
            callout("tip", "Vault", "<p>Avec Vault, utilisez le projet Vault.</p>"),
            procedure(
                "Créer le projet",
                ("Projets › Nouveau", ""),
                ("Projet mono-utilisateur ou Vault", ""),
            ),
        ],
        ["inventor"],
        ["2025", "2026"],
        ["projet", "bibliothèques"],
        days_ago=450,
        reviewed_days_ago=450,
    ),
    DemoArticle(
        "inventor-centre-de-contenu-lent",
        "Inventor: speeding up a slow Content Center",
        "inventor",
        "Content Center is slow to open parts: move the library to a local "
        "cache and trim unused standards.",
        [
            p("<p>Keep only the standards you actually use (ISO, DIN).</p>"),
            code(
                "powershell", 'Get-ChildItem "C:\\Users\\Public\\Documents\\Autodesk"'
            ),
            callout("tip", "Cache", "<p>Use a local cache folder per workstation.</p>"),
        ],
        ["inventor"],
        ["2026"],
        ["performance", "content center"],
        audience=Audience.CLIENTS,
        days_ago=200,
        reviewed_days_ago=200,
    ),
    DemoArticle(
        "inventor-ilogic-export-pdf",
        "Inventor: export drawings to PDF with iLogic",
        "inventor",
        "A short iLogic rule that exports the active drawing to PDF next to the IDW.",
        [
            code(
                "csharp",
                'Dim oPDF = ThisApplication.ApplicationAddIns.ItemById("{0AC6FD96-'
                '2F4D-42CE-8BE0-8AEA580399E4}")\n'
                "' ... SaveCopyAs",
            ),
            p("<p>Run it from the iLogic browser or on a save trigger.</p>"),
            callout("info", "Triggers", "<p>Event triggers › Before save.</p>"),
        ],
        ["inventor"],
        ["2026"],
        ["ilogic", "pdf"],
        audience=Audience.PRODUCT_OWNERS,
        days_ago=100,
        reviewed_days_ago=100,
    ),
    DemoArticle(
        "civil3d-points-import",
        "Civil 3D : importer des points topographiques (PNEZD)",
        "civil-3d",
        "Importer un fichier de points au format PNEZD, gérer les groupes de "
        "points et les codes de description.",
        [
            p("<p>Utilisez <code>IMPORTPOINTS</code> et le format PNEZD.</p>"),
            code("text", "1,1845210.25,5175230.10,245.32,ARBRE\n2,..."),
            table(["Code", "Signification"], ["ARBRE", "Arbre"], ["BDR", "Bordure"]),
            callout("tip", "Clés de description", "<p>Automatisez les styles.</p>"),
        ],
        ["civil-3d"],
        ["2025", "2026"],
        ["topographie", "points"],
        days_ago=480,
        reviewed_days_ago=470,
    ),
    DemoArticle(
        "civil3d-surface-lente",
        "Civil 3D : surfaces trop lentes, simplifier le MNT",
        "civil-3d",
        "Réduire le nombre de points d'une surface et désactiver la reconstruction "
        "automatique.",
        [
            procedure(
                "Simplifier",
                ("Simplifier la surface", "Retirer 50 % des points."),
                ("Reconstruction automatique", "La désactiver pendant les éditions."),
            ),
            code("lisp", '(setvar "AECCDRAWINGSETTINGS" 0)'),
            callout("warning", "Précision", "<p>Contrôlez l'écart maximal.</p>"),
        ],
        ["civil-3d"],
        ["2026"],
        ["performances", "surface"],
        ["nadia"],
        audience=Audience.PRODUCT_OWNERS,
        days_ago=60,
        reviewed_days_ago=60,
    ),
    DemoArticle(
        "vault-sauvegarde-adms",
        "Vault : sauvegarder et restaurer avec ADMS Console",
        "vault",
        "Planifier la sauvegarde complète de Vault (base SQL et filestore) en "
        "ligne de commande.",
        [
            code(
                "batch",
                '"C:\\Program Files\\Autodesk\\ADMS Professional 2026\\ADMS Console\\'
                'Connectivity.ADMSConsole.exe" -Obackup -B"D:\\Backup" -VUadmin '
                '-VP"***" -S',
            ),
            callout(
                "danger",
                "Filestore",
                "<p>Ne sauvegardez jamais le filestore seul.</p>",
            ),
            procedure("Planifier", ("Tâche planifiée", "Chaque nuit à 2 h.")),
        ],
        ["vault"],
        ["2026"],
        ["sauvegarde", "sql"],
        audience=Audience.CLIENTS,
        days_ago=400,
        reviewed_days_ago=380,
    ),
    DemoArticle(
        "vault-migration-2026",
        "Vault Professional: migrating the server to 2026",
        "vault",
        "Upgrade path, SQL Server compatibility and the order of operations "
        "to migrate a Vault server.",
        [
            table(
                ["Vault", "SQL Server"],
                ["2025", "2019, 2022"],
                ["2026", "2022"],
            ),
            procedure(
                "Migration",
                ("Full backup", "ADMS Console backup."),
                ("Install 2026 server", ""),
                ("Restore and migrate", ""),
            ),
            code("sql", "SELECT @@VERSION;"),
            callout("warning", "Clients", "<p>Update every client the same day.</p>"),
        ],
        ["vault"],
        ["2025", "2026"],
        ["migration", "sql"],
        ["nadia"],
        audience=Audience.PRODUCT_OWNERS,
        days_ago=330,
        reviewed_days_ago=330,
    ),
    DemoArticle(
        "licences-nommees-vs-reseau",
        "Licences nommées ou réseau : comment choisir",
        "licences",
        "Comparaison des licences utilisateur nommé et des licences réseau "
        "(multi-utilisateurs) proposées par Autodesk.",
        [
            table(
                ["", "Nommée", "Réseau"],
                ["Attribution", "Un utilisateur", "Un jeton partagé"],
                ["Serveur", "Non", "FlexNet"],
                ["Hors ligne", "30 jours", "Emprunt"],
            ),
            p("<p>Les nouveaux abonnements sont en licence nommée.</p>"),
            callout("info", "Conseil", "<p>Parlez-en à votre commercial.</p>"),
        ],
        ["autocad", "aec-collection"],
        [],
        ["licence nommée", "licence réseau"],
        ["nadia"],
        days_ago=720,
        reviewed_days_ago=700,
    ),
    DemoArticle(
        "activer-licence-hors-ligne",
        "Activer un produit Autodesk hors ligne",
        "licences-activation",
        "Obtenir un code d'activation quand le poste n'a pas d'accès Internet.",
        [
            procedure(
                "Activation hors ligne",
                ("Code de demande", "Choisir « Demander un code d'activation »."),
                ("Portail", "Saisir le code sur un autre poste connecté."),
                ("Saisir la réponse", ""),
            ),
            callout("warning", "Délai", "<p>Le code expire après 7 jours.</p>"),
            code("text", "Code de demande : 4T7U 9KQ2 ..."),
        ],
        ["autocad", "inventor"],
        ["2024", "2025"],
        ["activation"],
        days_ago=690,
        reviewed_days_ago=690,
    ),
    DemoArticle(
        "changer-type-licence",
        "Changer le type de licence (nommée, réseau) sur un poste",
        "licences-activation",
        "Réinitialiser le choix du type de licence avec AdskLicensingInstHelper.",
        [
            code(
                "batch",
                "AdskLicensingInstHelper.exe change -pk 829R1 -pv 2026.0.0.F "
                "-lm NETWORK -ls srv-lic01",
            ),
            p("<p>Relancez ensuite le logiciel.</p>"),
            callout("tip", "Liste", "<p><code>list</code> affiche les produits.</p>"),
        ],
        ["revit", "autocad"],
        ["2026"],
        ["activation", "licence réseau"],
        days_ago=320,
        reviewed_days_ago=310,
    ),
    DemoArticle(
        "serveur-licences-fichier-options",
        "Serveur de licences : fichier d'options (réservations, exclusions)",
        "licences-serveur",
        "Réserver des jetons à un groupe ou exclure des postes avec le fichier "
        "adskflex.opt.",
        [
            code(
                "ini",
                "GROUP BIM jdupont mmartin\n"
                "RESERVE 2 87545ACD_2026_0F GROUP BIM\n"
                "TIMEOUTALL 3600",
                "adskflex.opt, à côté du fichier de licence",
            ),
            callout("info", "Relecture", "<p>LMTOOLS › ReRead License File.</p>"),
            code("ini", LICENSE_FILE, "Extrait de fichier de licence"),
        ],
        ["autocad", "revit"],
        ["2025", "2026"],
        ["flexnet", "licence réseau"],
        audience=Audience.CLIENTS,
        days_ago=260,
        reviewed_days_ago=40,
    ),
    DemoArticle(
        "network-license-borrowing",
        "Borrowing a network licence for travel",
        "licences-serveur",
        "Borrow a network licence for up to 180 days, return it early, and the "
        "options file lines that allow it.",
        [
            p("<p>Use <em>Help › About › Manage License › Borrow</em>.</p>"),
            code("ini", "BORROW_LOWWATER 87545ACD_2026_0F 2"),
            callout("warning", "Early return", "<p>Return from the same machine.</p>"),
        ],
        ["autocad"],
        ["2026"],
        ["licence réseau", "borrowing"],
        days_ago=160,
        reviewed_days_ago=160,
    ),
    DemoArticle(
        "autodesk-access-mises-a-jour",
        "Mises à jour avec Autodesk Access",
        "mises-a-jour",
        "Installer les mises à jour (Updates) d'AutoCAD et Revit depuis "
        "Autodesk Access ou en déploiement.",
        [
            p("<p>Autodesk Access remplace la Desktop App.</p>"),
            procedure(
                "Mettre à jour",
                ("Ouvrir Autodesk Access", ""),
                ("Mises à jour", "Installer toutes les mises à jour."),
            ),
            code("batch", 'msiexec /p "AutoCAD_2026.1_Update.msp" /qn'),
            callout("tip", "Parc", "<p>Ajoutez les correctifs au déploiement.</p>"),
        ],
        ["autocad", "revit"],
        ["2026"],
        ["mise à jour"],
        days_ago=140,
        reviewed_days_ago=140,
    ),
    DemoArticle(
        "revit-2026-1-nouveautes",
        "Revit 2026.1: what the update fixes",
        "mises-a-jour",
        "Highlights of the Revit 2026.1 update: worksharing fixes, IFC export "
        "and performance.",
        [
            table(
                ["Area", "Fix"],
                ["Worksharing", "Sync no longer hangs on large models"],
                ["IFC", "Property sets export"],
            ),
            p("<p>Install it on every workstation of a project team.</p>"),
            callout("info", "Central", "<p>Upgrade all users together.</p>"),
        ],
        ["revit"],
        ["2026"],
        ["mise à jour"],
        audience=Audience.CLIENTS,
        days_ago=45,
        reviewed_days_ago=45,
    ),
    DemoArticle(
        "interne-escalade-autodesk",
        "Interne : escalader un cas au support Autodesk",
        "licences",
        "Procédure interne : ouvrir un cas partenaire chez Autodesk, pièces à "
        "joindre et délais.",
        [
            procedure(
                "Escalade",
                ("Collecter", "Logs, version, numéro de contrat."),
                ("Ouvrir le cas", "Portail partenaire."),
                ("Suivre", "Relancer après 48 h."),
            ),
            callout("danger", "Confidentiel", "<p>Ne pas transmettre au client.</p>"),
            code("powershell", "Compress-Archive $env:LOCALAPPDATA\\Autodesk\\*.log"),
        ],
        ["autocad"],
        [],
        ["procédure interne"],
        ["nadia"],
        audience=Audience.INTERNAL,
        days_ago=380,
        reviewed_days_ago=380,
    ),
    DemoArticle(
        "interne-serveur-licences-aplicit",
        "Interne : serveur de licences de démonstration Aplicit",
        "licences-serveur",
        "Nom, ports et mot de passe du coffre pour le serveur de licences de "
        "démonstration.",
        [
            p("<p>Le serveur de démonstration tourne sur srv-demo-lic.</p>"),
            code("ini", "SERVER srv-demo-lic ANY 27000"),
            callout("warning", "Accès", "<p>Identifiants dans le coffre.</p>"),
        ],
        ["autocad", "revit"],
        [],
        ["procédure interne", "flexnet"],
        audience=Audience.INTERNAL,
        days_ago=210,
        reviewed_days_ago=210,
    ),
    DemoArticle(
        "interne-checklist-installation-client",
        "Interne : check-list d'une installation sur site",
        "autocad-installation",
        "Ce qu'un ingénieur vérifie avant et après une installation chez un client.",
        [
            procedure(
                "Avant",
                ("Prérequis", ".NET, Visual C++, droits admin."),
                ("Licences", "Contrats actifs dans Autodesk Account."),
            ),
            table(["Point", "OK"], ["Pilote graphique certifié", ""], ["Ports", ""]),
            callout("info", "Compte rendu", "<p>Joindre au ticket.</p>"),
        ],
        ["autocad", "revit", "inventor"],
        [],
        ["procédure interne", "installation"],
        audience=Audience.INTERNAL,
        days_ago=30,
        reviewed_days_ago=30,
    ),
    # Drafts, a scheduled and an expired article.
    DemoArticle(
        "autocad-2027-preparer-migration",
        "Préparer la migration vers AutoCAD 2027",
        "mises-a-jour",
        "Brouillon : ce qu'il faut migrer (profils, CUIX, LISP) vers la "
        "prochaine version.",
        [
            p("<p>Brouillon en cours de rédaction.</p>"),
            code("batch", "robocopy %APPDATA%\\Autodesk D:\\Migration /E"),
            callout("info", "À compléter", "<p>Attente de la bêta.</p>"),
        ],
        ["autocad"],
        ["2026"],
        ["migration"],
        state="draft",
        days_ago=5,
        reviewed_days_ago=None,
    ),
    DemoArticle(
        "revit-dynamo-renommer-vues",
        "Dynamo : renommer les vues Revit en série",
        "revit",
        "Brouillon : script Dynamo pour renommer des vues selon un gabarit de nommage.",
        [
            code(
                "python", "views = UnwrapElement(IN[0])\nOUT = [v.Name for v in views]"
            ),
            p("<p>Script à tester sur Revit 2026.</p>"),
            callout("warning", "Test", "<p>Sur une copie du projet.</p>"),
        ],
        ["revit"],
        ["2026"],
        ["dynamo"],
        state="draft",
        audience=Audience.CLIENTS,
        days_ago=3,
        reviewed_days_ago=None,
    ),
    DemoArticle(
        "vault-job-processor-erreurs",
        "Vault Job Processor : erreurs de publication DWF",
        "vault",
        "Brouillon interne : les erreurs fréquentes du Job Processor.",
        [
            p("<p>À rédiger.</p>"),
            code("xml", '<jobprocessor maxconcurrentjobs="4" />'),
        ],
        ["vault"],
        [],
        ["job processor"],
        ["nadia"],
        state="draft",
        audience=Audience.INTERNAL,
        days_ago=2,
        reviewed_days_ago=None,
    ),
    DemoArticle(
        "autocad-2026-2-mise-a-jour",
        "AutoCAD 2026.2 : ce que corrige la mise à jour",
        "mises-a-jour",
        "Publication programmée : les correctifs de la mise à jour 2026.2.",
        [
            p("<p>La mise à jour 2026.2 corrige l'impression PDF.</p>"),
            callout("info", "Disponible", "<p>Via Autodesk Access.</p>"),
            code("batch", 'msiexec /p "AutoCAD_2026.2_Update.msp" /qn'),
        ],
        ["autocad"],
        ["2026"],
        ["mise à jour"],
        state="scheduled",
        days_ago=0,
        reviewed_days_ago=1,
    ),
    DemoArticle(
        "promo-migration-licences-2024",
        "Offre de migration des licences réseau (2024)",
        "licences",
        "Article expiré : l'offre de passage des licences réseau en licences "
        "nommées, terminée.",
        [
            p("<p>Cette offre est terminée.</p>"),
            callout("warning", "Terminé", "<p>Offre close en 2024.</p>"),
            table(["Avant", "Après"], ["1 réseau", "2 nommées"]),
        ],
        ["autocad", "aec-collection"],
        ["2024"],
        ["licence réseau"],
        state="expired",
        days_ago=710,
        reviewed_days_ago=710,
    ),
]

# (article slug, reader e-mail, helpful, reason, comment)
FEEDBACK = [
    ("erreur-licence-15-570-0", "alice@durand-archi.example", True, "", "Résolu !"),
    ("erreur-licence-15-570-0", "bruno@btp-rhone.example", True, "", ""),
    (
        "flexnet-erreur-96",
        "claire@morel-geometres.example",
        False,
        FeedbackReason.NEEDS_MORE_INFORMATION,
        "Et si le serveur est sous Linux ?",
    ),
    (
        "recuperer-dessin-endommage-recover-audit",
        "arnaud@durand-archi.example",
        True,
        "",
        "Le .sv$ m'a sauvé la journée.",
    ),
    (
        "autocad-lenteur-carte-graphique",
        "bruno@btp-rhone.example",
        False,
        FeedbackReason.INACCURATE,
        "VTENABLE n'existe plus en 2026.",
    ),
]


def load() -> None:
    """Create the demo knowledge base; a second run changes nothing."""
    with transaction.atomic():
        products, releases = _catalogue()
        categories = _categories()
        authors = _authors()
        index = _index()
        editorial_setup_ensure(index_page=index)
        companies = {c.customer_number: c for c in Company.objects.all()}
        for spec in ARTICLES:
            if not ArticlePage.objects.filter(slug=spec.slug).exists():
                _create_article(
                    index, spec, products, releases, categories, authors, companies
                )
        _feedback()


def _catalogue():
    products, releases = {}, {}
    for code_, name in PRODUCTS:
        product, _ = Product.objects.get_or_create(code=code_, defaults={"name": name})
        products[code_] = product
        for version, released in RELEASE_DATES.items():
            release, _ = ProductRelease.objects.get_or_create(
                product=product, version=version, defaults={"release_date": released}
            )
            releases[(code_, version)] = release
    return products, releases


def _categories() -> dict[str, Category]:
    categories: dict[str, Category] = {}
    for order, (slug, name, parent) in enumerate(CATEGORIES):
        categories[slug], _ = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "parent": categories.get(parent),
                "sort_order": order,
            },
        )
    return categories


def _authors() -> dict[str, Author]:
    authors = {}
    for key, name, job, email in AUTHORS:
        user = User.objects.filter(email=email).first()
        author = Author.objects.filter(display_name=name).first()
        if author is None:
            author = Author.objects.create(display_name=name, job_title=job, user=user)
        authors[key] = author
    return authors


def _index() -> KnowledgeIndexPage:
    index = KnowledgeIndexPage.objects.filter(slug=INDEX_SLUG).first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).first()
    parent = site.root_page if site else Page.get_first_root_node()
    index = KnowledgeIndexPage(
        title="Base de connaissances",
        slug=INDEX_SLUG,
        intro="<p>Les réponses des ingénieurs Aplicit à vos questions sur AutoCAD, "
        "Revit, Inventor, Civil 3D, Vault et les licences Autodesk.</p>",
    )
    parent.add_child(instance=index)
    index.save_revision().publish()
    return index


def _create_article(index, spec, products, releases, categories, authors, companies):
    today = timezone.localdate()
    article = ArticlePage(
        title=spec.title,
        slug=spec.slug,
        summary=spec.summary,
        body=spec.body,
        category=categories[spec.category],
        audience=spec.audience,
        last_reviewed_at=(
            None
            if spec.reviewed_days_ago is None
            else today - dt.timedelta(days=spec.reviewed_days_ago)
        ),
        live=False,
    )
    article.products = [products[code_] for code_ in spec.products]
    article.versions = [
        releases[(code_, v)] for code_ in spec.products for v in spec.versions
    ]
    article.authors = [authors[key] for key in spec.authors]
    article.companies = [companies[n] for n in spec.companies if n in companies]
    article.tags.add(*spec.tags)
    index.add_child(instance=article)

    if spec.state == "draft":
        article.save_revision()
        return
    if spec.state == "scheduled":
        article.go_live_at = timezone.now() + dt.timedelta(days=10)
        article.save_revision().publish()  # Wagtail schedules a future go_live_at
        return
    article.save_revision().publish()
    when = timezone.now() - dt.timedelta(days=spec.days_ago, hours=spec.days_ago % 9)
    updates = {"first_published_at": when, "last_published_at": when}
    if spec.state == "expired":
        # What publish_scheduled does once expire_at has passed.
        updates |= {
            "expire_at": timezone.now() - dt.timedelta(days=30),
            "expired": True,
            "live": False,
        }
    ArticlePage.objects.filter(pk=article.pk).update(**updates)


def _feedback() -> None:
    for slug, email, helpful, reason, comment in FEEDBACK:
        article = ArticlePage.objects.filter(slug=slug).first()
        user = User.objects.filter(email=email).first()
        if article and user:
            ArticleFeedback.objects.get_or_create(
                article=article,
                user=user,
                defaults={"helpful": helpful, "reason": reason, "comment": comment},
            )
