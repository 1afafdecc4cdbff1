"""Seed synonyms: Autodesk product abbreviations and French/English support words.
Engineers edit them in the admin (Paramètres › Synonymes de recherche)."""

from django.db import migrations

SEED = [
    ("AutoCAD, ACAD", "Abréviation courante"),
    ("Revit, RVT", "Extension des projets Revit"),
    ("Civil 3D, Civil3D, C3D", "Nom écrit attaché ou abrégé"),
    ("Inventor, INV", ""),
    ("Vault, ADMS", "ADMS : le serveur Vault"),
    ("FlexNet, FlexLM", "Ancien nom du gestionnaire de licences"),
    ("licence, license, licensing", "Orthographes française et anglaise"),
    ("serveur, server", ""),
    ("désinstaller, désinstallation, uninstall", ""),
    ("silencieux, silencieuse, silent, unattended", "Installation sans interaction"),
    ("déploiement, déployer, deploy, deployment", ""),
    ("hors ligne, offline, sans internet", ""),
    ("emprunter, emprunt, borrow, borrowing", "Licence réseau empruntée"),
    ("sauvegarde, sauvegarder, backup", ""),
    ("restaurer, restauration, restore", ""),
    ("lent, lenteur, lenteurs, rame, ramer, slow, saccadé", "Symptômes de performances"),
    ("endommagé, corrompu, corrupted, damaged", ""),
    ("mise à jour, mises à jour, update, updates", ""),
    ("erreur, error", ""),
    ("synchroniser, synchronisation, sync, synchronize", ""),
    ("central, modèle central, central model", "Worksharing Revit"),
    ("dessin, DWG, drawing", ""),
    ("jeton, jetons, token, tokens", "Licences réseau"),
    ("licence nommée, utilisateur nommé, named user", ""),
    ("réseau, network, multi-utilisateur", ""),
    ("centre de contenu, content center", "Inventor"),
    ("famille, family, families", "Revit"),
    ("nomenclature, schedule", "Revit"),
    ("importer, import", ""),
    ("semis de points, points topographiques, points topo, survey points", "Civil 3D"),
    ("pare-feu, firewall", ""),
    ("activer, activation, activate", ""),
    ("migration, migrer, upgrade", ""),
    ("fichier d'options, options file, adskflex.opt", "Serveur de licences"),
    ("réserver, réservation, reserve", "Fichier d'options"),
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("kbsearch", "SearchSynonym")
    for terms, note in SEED:
        SearchSynonym.objects.get_or_create(terms=terms, defaults={"note": note})


def unseed(apps, schema_editor):
    SearchSynonym = apps.get_model("kbsearch", "SearchSynonym")
    SearchSynonym.objects.filter(terms__in=[terms for terms, _ in SEED]).delete()


class Migration(migrations.Migration):
    dependencies = [("kbsearch", "0008_search_synonym")]

    operations = [migrations.RunPython(seed, unseed)]
