"""ib.dashboard.* operations (under /api/v1/). The portal's chart JSON is a page of the IB portal
(`ib/portal/urls.py`, session-authenticated), not an API operation."""

from crm.api.routing import operation_urls
from ib.api import dashboard

urlpatterns = operation_urls([dashboard.GetPanelDataApi, dashboard.GetLastUpdateTimeApi])
