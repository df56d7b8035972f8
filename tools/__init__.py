"""Developer and CI tools for the edfi_lms project (not part of the installed package)."""
