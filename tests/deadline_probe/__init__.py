"""A test-only app: a record with a calendar-computed due date, to prove ``marketing_portal.deadlines`` end to end.

The real registrations (contracts, hand-off, receivables, repairs) come with their apps; this one stands in
for them in the tests and is installed only by ``marketing_portal.settings_test``.
"""
