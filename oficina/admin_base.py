"""Admin pieces every app uses (shared, so no app imports another's admin)."""


class SoloLecturaMixin:
    """The ledger and loan terms are never edited in the admin: corrections are new, audited entries."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
