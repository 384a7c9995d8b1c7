from django.urls import include, path

from guanxi.api import api

handler403 = "guanxi.core.errors.permission_denied"
handler404 = "guanxi.core.errors.page_not_found"
handler500 = "guanxi.core.errors.server_error"

urlpatterns = [
    path("", include("guanxi.core.urls")),
    path("accounts/", include("guanxi.accounts.urls")),
    path("audit/", include("guanxi.audit.urls")),
    path("customers/", include("guanxi.customers.urls")),
    path("interactions/", include("guanxi.interactions.urls")),
    path("api/v1/", api.urls),
]
