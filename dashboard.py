"""The dashboard's router: page config, the shared sidebar, then the selected page."""

import streamlit as st

import ui

st.set_page_config(page_title="ILT sessions", page_icon=":material/event:", layout="wide")

# Page scripts live in views/, not pages/: with a pages/ folder beside this file, Streamlit
# starts each server in its old folder-based mode, so a deep link (/calendar?tz=UTC) opened
# first runs that page alone, without this router and its sidebar.
PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("views/capacity.py", title="Capacity", icon=":material/event_seat:"),
    st.Page("views/calendar.py", title="Calendar", icon=":material/calendar_month:"),
    st.Page("views/tutors.py", title="Tutors", icon=":material/school:"),
    st.Page("views/pace.py", title="Fill pace & forecast", icon=":material/trending_up:"),
    st.Page("views/sessions.py", title="Sessions & export", icon=":material/table_view:"),
    st.Page("views/quality.py", title="Data quality", icon=":material/fact_check:"),
]

ui.render_sidebar()
st.navigation(PAGES).run()
