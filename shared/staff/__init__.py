"""Staff accounts of the secretariat's console: passwords, lockout, sessions, CSRF.

Accounts and sessions are kept in the registry's database (the console lives in the
registry); `python -m shared.staff` creates and manages accounts
(docs/decisions/console-staff-accounts.md).
"""
