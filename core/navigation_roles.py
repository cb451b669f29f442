"""Role groups used by navigation and view permissions."""

STAFF_ROLES = ("council_officer", "school_staff", "support_agent", "cio", "london_lead", "admin")
LA_ROLES = ("council_officer", "cio", "admin")
DEVICE_ROLES = ("council_officer", "school_staff", "support_agent", "cio", "admin")
SUPPORT_ROLES = ("support_agent", "admin")
