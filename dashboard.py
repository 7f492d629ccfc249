"""The dashboard's router: page config, the shared sidebar, then the selected page."""

import streamlit as st

import ui

st.set_page_config(page_title="ILT sessions", page_icon=":material/event:", layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
]

ui.render_sidebar()
st.navigation(PAGES).run()
