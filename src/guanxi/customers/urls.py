from django.urls import path

from guanxi.customers import views
from guanxi.customers.dedupe import urls as dedupe_urls
from guanxi.customers.lists import urls as lists_urls
from guanxi.customers.lists import views as list_views
from guanxi.customers.pools import urls as pools_urls
from guanxi.customers.profile import urls as profile_urls
from guanxi.customers.search import urls as search_urls
from guanxi.customers.transfer import urls as transfer_urls

app_name = "customers"
urlpatterns = [
    path("", list_views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/delete/", views.customer_delete, name="delete"),
    path("<int:pk>/reveal/<str:field>/", views.customer_reveal, name="reveal"),
    # Each area of the customers app keeps its own routes (names stay in the "customers" namespace).
    *lists_urls.urlpatterns,
    *pools_urls.urlpatterns,
    *search_urls.urlpatterns,
    *dedupe_urls.urlpatterns,
    *transfer_urls.urlpatterns,
    *profile_urls.urlpatterns,
]
