"""Pages that compose several features (the overview: fleet figures from devices, recent
alarms from alarms). The top app: it may import every feature; none imports it."""
