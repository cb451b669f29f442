"""Background work for campaigns, run by the django-tasks worker."""

from django_tasks import task


@task()
def send_campaign_notices(campaign_id, channel, user_id):
    """A large campaign's notices (``services.queue_notices``): the same ``send_notices`` as a
    small one, as the user who asked, over the devices they may see. Safe to run twice."""
    from accounts.models import User
    from campaigns import services
    from campaigns.models import Campaign, CampaignDevice

    user = User.objects.get(pk=user_id)
    campaign = Campaign.objects.get(pk=campaign_id)
    if not campaign.is_open:
        return {"sent": 0, "refused": 0}
    result = services.send_notices(campaign=campaign, channel=channel, by=user, items=CampaignDevice.objects.visible_to(user))
    return {"sent": len(result.sent), "refused": len(result.refused)}
