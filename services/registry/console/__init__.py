"""The secretariat's console: server-rendered screens at /console/ over the same use cases.

Registry changes call the registry's own use cases; calendar and notifier changes call
those services' JSON APIs with a short-lived token for the signed-in person
(docs/decisions/console-in-the-registry.md).
"""
