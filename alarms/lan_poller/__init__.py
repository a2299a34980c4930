"""The LAN poller: one asyncio process polling LAN cameras' motion and AI state and
turning changes into alarm events (source=lan). See docs/lan-poller.md.

    config.py   what one device is polled with (read from the database)
    changes.py  a channel's last state and what a new reading changes (pure)
    store.py    the database side: leases, settings, batched writes (sync; run in a thread)
    device.py   one device's polling task
    poller.py   the process: leases, tasks, the writer, health, graceful stop
"""
