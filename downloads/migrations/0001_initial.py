# The download models move from the catalog app to this one; their tables stay
# (catalog 0003 created them): the models are created in the migration state only.
# catalog 0005 removes them from the catalog's state, 0002 here moves their content
# types (and so the pages, revisions and permissions that refer to them).

import django.db.models.deletion
import downloads.models
import modelcluster.fields
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0001_initial'),
        ('catalog', '0004_support_group'),
        ('knowledge', '0002_editorial_workflow'),
        ('wagtailcore', '0098_apitoken'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='DownloadIndexPage',
                    fields=[
                        ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                        ('intro', wagtail.fields.RichTextField(blank=True, verbose_name='introduction')),
                    ],
                    options={
                        'db_table': 'catalog_downloadindexpage',
                        'verbose_name': 'index des téléchargements',
                    },
                    bases=('wagtailcore.page',),
                ),
                migrations.CreateModel(
                    name='DownloadNotificationPreference',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('opted_in', models.BooleanField(default=True, verbose_name='recevoir les nouveautés')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='download_notification_preference', to=settings.AUTH_USER_MODEL, verbose_name='personne')),
                    ],
                    options={
                        'db_table': 'catalog_downloadnotificationpreference',
                        'verbose_name': 'préférence de notification (téléchargements)',
                        'verbose_name_plural': 'préférences de notification (téléchargements)',
                    },
                ),
                migrations.CreateModel(
                    name='DownloadPage',
                    fields=[
                        ('page_ptr', models.OneToOneField(auto_created=True, on_delete=django.db.models.deletion.CASCADE, parent_link=True, primary_key=True, serialize=False, to=settings.WAGTAIL_PAGE_MODEL)),
                        ('kind', models.CharField(choices=[('patch', 'correctif (patch)'), ('hotfix', 'correctif urgent (hotfix)'), ('update', 'mise à jour'), ('full_version', 'version complète'), ('utility', 'utilitaire')], max_length=20, verbose_name='type')),
                        ('version', models.CharField(help_text='Ex. « 2026.1.2 ».', max_length=60, verbose_name='version ou build')),
                        ('release_date', models.DateField(verbose_name='date de publication')),
                        ('release_notes', wagtail.fields.RichTextField(blank=True, verbose_name='notes de version')),
                        ('is_latest', models.BooleanField(default=False, help_text='À la publication, retire ce drapeau aux autres pages du même produit et des mêmes versions.', verbose_name='dernière version')),
                        ('is_public', models.BooleanField(default=False, help_text='Visible et téléchargeable par tous (utilitaires gratuits).', verbose_name='public')),
                        ('product', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='download_pages', to='catalog.product', verbose_name='produit')),
                        ('related_articles', modelcluster.fields.ParentalManyToManyField(blank=True, related_name='download_pages', to='knowledge.articlepage', verbose_name='articles liés')),
                        ('releases', modelcluster.fields.ParentalManyToManyField(blank=True, help_text='Vide : toutes les versions. Sinon le téléchargement est propre à ces versions (un abonnement terminé avant leur sortie ne les couvre pas).', related_name='download_pages', to='catalog.productrelease', verbose_name='versions concernées')),
                        ('superseded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='supersedes', to='downloads.downloadpage', verbose_name='remplacé par')),
                    ],
                    options={
                        'db_table': 'catalog_downloadpage',
                        'verbose_name': 'page de téléchargement',
                        'verbose_name_plural': 'pages de téléchargement',
                    },
                    bases=('wagtailcore.page',),
                ),
                migrations.CreateModel(
                    name='DownloadFile',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sort_order', models.IntegerField(blank=True, editable=False, null=True)),
                        ('platform', models.CharField(choices=[('windows', 'Windows'), ('macos', 'macOS'), ('linux', 'Linux'), ('any', 'toutes')], default='windows', max_length=20, verbose_name='plateforme')),
                        ('language', models.CharField(default='fr', help_text='Code de langue (« fr », « en ») ou « multi ».', max_length=10, verbose_name='langue')),
                        ('file', downloads.models.ChecksummedFileField(storage=downloads.models.downloads_storage, upload_to='downloads/%Y/%m/', verbose_name='fichier')),
                        ('file_name', models.CharField(blank=True, help_text='Nom proposé au téléchargement ; par défaut celui du fichier.', max_length=255, verbose_name='nom du fichier')),
                        ('size', models.BigIntegerField(default=0, editable=False, verbose_name='taille (octets)')),
                        ('sha256', models.CharField(blank=True, editable=False, max_length=64, verbose_name='SHA-256')),
                        ('page', modelcluster.fields.ParentalKey(on_delete=django.db.models.deletion.CASCADE, related_name='files', to='downloads.downloadpage')),
                    ],
                    options={
                        'db_table': 'catalog_downloadfile',
                        'verbose_name': 'fichier',
                        'verbose_name_plural': 'fichiers',
                        'ordering': ['sort_order'],
                        'abstract': False,
                    },
                ),
                migrations.CreateModel(
                    name='DownloadEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='date')),
                        ('bytes_range', models.CharField(blank=True, max_length=60, verbose_name='plage demandée')),
                        ('company', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='download_events', to='accounts.company', verbose_name='société')),
                        ('user', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='download_events', to=settings.AUTH_USER_MODEL, verbose_name='personne')),
                        ('file', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='events', to='downloads.downloadfile', verbose_name='fichier')),
                    ],
                    options={
                        'db_table': 'catalog_downloadevent',
                        'verbose_name': 'téléchargement',
                        'verbose_name_plural': 'téléchargements',
                        'ordering': ['-at', '-pk'],
                        'indexes': [models.Index(fields=['company', '-at'], name='catalog_dow_company_36cc69_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='DownloadNotification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sent_at', models.DateTimeField(auto_now_add=True)),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='download_notifications', to=settings.AUTH_USER_MODEL)),
                        ('page', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='downloads.downloadpage')),
                    ],
                    options={
                        'db_table': 'catalog_downloadnotification',
                        'verbose_name': 'notification envoyée (téléchargement)',
                        'verbose_name_plural': 'notifications envoyées (téléchargements)',
                        'constraints': [models.UniqueConstraint(fields=('page', 'user'), name='unique_download_notification')],
                    },
                ),
            ],
        ),
    ]
