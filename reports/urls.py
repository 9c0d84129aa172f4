"""The report packs' pages: downloads, imports and subscriptions (namespace `reports`)."""

from django.urls import path

from .subscription_views import (
    SubscriptionCreate,
    SubscriptionDelete,
    SubscriptionEdit,
    subscriptions,
)

app_name = "reports"

urlpatterns: list = [
    path("subscriptions/", subscriptions, name="subscriptions"),
    path("subscriptions/new/", SubscriptionCreate.as_view(), name="subscription-new"),
    path("subscriptions/<int:pk>/edit/", SubscriptionEdit.as_view(), name="subscription-edit"),
    path(
        "subscriptions/<int:pk>/delete/", SubscriptionDelete.as_view(), name="subscription-delete"
    ),
]
