from django.apps import AppConfig


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = "CMS"

    def ready(self):
        from django.db.models.signals import (
            m2m_changed,
            post_delete,
            post_migrate,
            post_save,
            pre_migrate,
        )
        from django_tasks.signals import task_finished

        from .admin_display import field_display_register
        from .generation import (
            index_task_finished,
            migrate_ended,
            migrate_started,
            watched_change,
        )

        field_display_register()
        # Any committed change of content moves the API's answers on (one receiver
        # for every model; it keeps to the watched apps).
        for signal in (post_save, post_delete, m2m_changed):
            signal.connect(watched_change, dispatch_uid=f"content_changed_{signal}")
        task_finished.connect(index_task_finished, dispatch_uid="content_indexed")
        pre_migrate.connect(migrate_started, dispatch_uid="content_migrate_started")
        post_migrate.connect(migrate_ended, dispatch_uid="content_migrate_ended")
