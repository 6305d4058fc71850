"""Pure enrollment rules: no framework, database or broker imports."""
