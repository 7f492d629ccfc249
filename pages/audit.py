"""Audit: who signed in, who was refused, who downloaded what and who proposed merges or
checked a draft, as every server of the dashboard wrote it to the shared store; for admins."""

import streamlit as st

import ui
from lu_data.views.audit_tables import (
    NO_EVENTS_TEXT,
    audit_description,
    counts_table,
    names_by_email,
)

NOT_RECORDED_TEXT = (
    "Sign-in is off on this server, so nobody is named and nothing is recorded here: audit "
    "events are written only with sign-in on (an [auth] table in secrets.toml). Events "
    "recorded while it was on are still listed below."
)
WAITING_TEXT = (
    "{n:,} events of this server wait in memory for the store and are not listed yet; they "
    "are written as soon as it answers."
)

ui.start_page("Audit", page="audit", need_sessions=False, describe=False, banners=False)
st.caption(
    "Every sign-in, refusal, download, merge proposal and draft check, from every server "
    "sharing this store, newest first. "
    "The sidebar's filters choose sessions on the other pages; these are this page's own."
)
if not ui.sign_in_configured():
    st.info(NOT_RECORDED_TEXT, icon=":material/info:")

people, error = ui.audit_store_people()
if error:
    st.error(error, icon=":material/error:")
    st.stop()
query = ui.audit_filters(people, ui.audit_today())
try:
    read = ui.read_audit(query)
except ui.STORE_ERRORS as exc:  # the store went away between two reads: say so, no trace
    st.error(f"The audit log cannot be read: {exc}", icon=":material/error:")
    st.stop()
if read.waiting:
    st.warning(WAITING_TEXT.format(n=read.waiting), icon=":material/schedule:")
counts = counts_table(read.counts, names_by_email(read.events))
st.caption(audit_description(read.total, len(counts), query))

if counts.empty:  # no empty tables, and no downloads of nothing
    st.info(NO_EVENTS_TEXT, icon=":material/search_off:")
    st.stop()

st.subheader("Per person and kind")
st.dataframe(counts, hide_index=True, key="audit_counts", height=ui.table_height(len(counts), 280))

st.subheader("Events")
ui.render_audit_events(read, query)
