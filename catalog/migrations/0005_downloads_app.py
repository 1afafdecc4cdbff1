# The download models now belong to the downloads app (downloads 0001), which keeps
# their tables: they leave the catalog's migration state only.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0004_support_group'),
        ('downloads', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='DownloadEvent'),
                migrations.DeleteModel(name='DownloadNotification'),
                migrations.DeleteModel(name='DownloadNotificationPreference'),
                migrations.DeleteModel(name='DownloadFile'),
                migrations.DeleteModel(name='DownloadPage'),
                migrations.DeleteModel(name='DownloadIndexPage'),
            ],
        ),
    ]
