"""Routes for usage upload, allowance monitoring, licences and the cliff edge.

Included by ``devices.urls`` into the ``devices`` namespace.
"""

urlpatterns = []
