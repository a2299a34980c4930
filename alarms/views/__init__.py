"""The alarm webhook (webhook.py), the feed and the device page's alarms (feed.py),
and the partner's alarm settings (alarm_settings.py)."""
