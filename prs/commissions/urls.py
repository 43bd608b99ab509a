from rest_framework.routers import SimpleRouter

from prs.commissions.apis import CommissionViewSet

router = SimpleRouter()
router.register("commissions", CommissionViewSet, basename="commission")
urlpatterns = router.urls
