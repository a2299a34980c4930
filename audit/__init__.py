"""The audit log: every change made through the console, or by a task it started.

Foundation: any feature writes to it (services.record); it knows partners (every entry
belongs to one) but no feature app; an entry's target is generic (type, id, label)."""
