def test_payment_flow(services, deal, seller, verifier, payment_data):
    created = services["payment_service"].create(seller, payment_data(deal, "400.00"))
    assert created.success, created.errors
    approved = services["payment_service"].approve(verifier, created.data.pk, "400.00")
    assert approved.success, approved.errors
    deal.refresh_from_db()
    assert deal.payment_status == "partially_paid"
    assert str(deal.progress) == "40.00"
