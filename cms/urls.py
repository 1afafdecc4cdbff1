from django.conf import settings
from django.urls import include, path
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms.api.views import PortalGraphQLView
from cms.health import health

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("graphql/", PortalGraphQLView.as_view(), name="graphql"),
    path("health/", health, name="health"),
    path("feeds/", include("knowledge.urls")),
    path("downloads/", include("downloads.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Pages are rendered by the portal: their URLs here redirect there (cms/portal.py).
urlpatterns += [path("", include("cms.portal"))]
