"""The store: enrolment history across fetches, and complete snapshots of each portal."""
