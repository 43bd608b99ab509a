from rest_framework.routers import SimpleRouter

from prs.notifications.apis import NotificationViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
urlpatterns = router.urls
