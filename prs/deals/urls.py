from rest_framework.routers import SimpleRouter

from prs.deals.apis import DealViewSet, PaymentViewSet

router = SimpleRouter()
router.register("deals", DealViewSet, basename="deal")
router.register("payments", PaymentViewSet, basename="payment")
urlpatterns = router.urls
