from rest_framework.routers import SimpleRouter

from prs.audit.apis import AuditLogViewSet

router = SimpleRouter()
router.register("audit-logs", AuditLogViewSet, basename="audit-log")
urlpatterns = router.urls
