"""The store: enrolment history kept across fetches."""
