"""Date formats of the project's own (settings.FORMAT_MODULE_PATH), ahead of Django's locale files."""
