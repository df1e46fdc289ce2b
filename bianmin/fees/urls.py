from django.urls import path

from bianmin.fees import views

app_name = "fees"

urlpatterns = [
    path("fees/panel/", views.case_panel, name="case_panel"),
    path("fees/panel/copies/", views.free_copies_view, name="free_copies"),
    path("fees/counter/", views.counter, name="counter"),
    path("fees/payments/", views.payments, name="payments"),
    path("fees/payments/<int:pk>/", views.payment_detail, name="payment"),
    path("fees/payments/<int:pk>/receipt.pdf", views.receipt, name="receipt"),
    path("fees/refunds/", views.refunds, name="refunds"),
    path("fees/reconciliation/", views.reconciliation, name="reconciliation"),
    path("fees/drawer/", views.drawer, name="drawer"),
    path("fees/drawer/summary/", views.drawer_summary, name="drawer_summary"),
    path("fees/ledger/", views.ledger, name="ledger"),
    path("fees/policies/", views.policies, name="policies"),
    path("fees/policies/new/", views.policy_edit, name="policy_new"),
    path("fees/policies/<str:code>/", views.policy_edit, name="policy"),
    path("fees/campaigns/", views.campaigns, name="campaigns"),
    path("fees/campaigns/new/", views.campaign_edit, name="campaign_new"),
    path("fees/campaigns/<int:pk>/", views.campaign_detail, name="campaign"),
    path("fees/campaigns/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("fees/campaign-hours/", views.campaign_hours, name="campaign_hours"),
]
