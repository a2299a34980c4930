"""Firmware rollouts on the job engine (jobs/): the "rollout" kind.

- models: firmware.models.Rollout (the settings; its jobs.Job holds the state and
  the items, one per device);
- waves.py: planning waves and which wave a device is in;
- targeting.py: which devices a rollout can take and why others are excluded;
- timing.py: how long an upgrade takes (learnt as the rollout runs) and back-offs;
- upgrade.py: one device's steps (push, session, status), each guarded by item.data;
- rules.py: failure rules and waves advancing by themselves, after each device;
- handler.py: the engine's handler, registered in FirmwareConfig.ready;
- services.py: creating a rollout and its controls (audited);
- selectors.py: what the pages show.
"""
