"""NotificationService: same organization only, personal reads, mark_read by the recipient."""
from prs.common.results import ErrorCode
from prs.notifications.models import Notification


def test_recipients_of_another_organization_are_refused(services, deal, seller, make_user, make_org):
    stranger = make_user(make_org("Other"), "org_admin")
    result = services["notification_service"].notify([seller, stranger], "deal_created", "t", "m", "low", deal)
    assert result.error_code == ErrorCode.VALIDATION and "recipients" in result.errors
    assert not Notification.objects.filter(recipient=stranger).exists()


def test_mark_read_only_by_the_recipient(services, deal, admin, seller):
    notification = Notification.objects.get(recipient=admin, notification_type="deal_created")
    assert services["notification_service"].mark_read(seller, notification.pk).error_code == ErrorCode.NOT_FOUND
    result = services["notification_service"].mark_read(admin, notification.pk)
    assert result.success and result.data.is_read and result.data.read_at is not None
    assert [n.pk for n in services["notification_service"].list(admin, {"is_read": True}).data] == [notification.pk]
    assert list(services["notification_service"].list(seller).data) == []
