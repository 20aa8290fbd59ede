"""What crosses a service line, defined once: events, classification, topics, statuses, readers.

Every service imports these modules instead of restating another service's strings:

* `classification` — the Panel Information Policy marks and the fail-closed reading of them;
* `vocabulary` — committees and calendar entry types;
* `statuses` — the modification statuses and paths of the SEC Section D process;
* `topics` — the topic grammar subscribers follow and feeds select by;
* `events` — the event catalogue: one enum member and one payload model per event type;
* `subscribers` — the model of the notifier's subscriptions as other services may read them.
"""
