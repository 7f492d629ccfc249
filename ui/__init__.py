"""Streamlit glue shared by every page: data source, cached loading, sidebar, tables with CSV.

Pages use it as `import ui`; the parts live in ui.loaders, ui.view, ui.sidebar, ui.tables and
ui.metrics.
"""

from ui.loaders import (  # noqa: F401 - the glue's public names, one import for pages
    DEFAULT_CACHE_MINUTES,
    DEMO_SESSIONS_ENV,
    RETRY_WITHOUT_DATA_MINUTES,
    SOURCE_DEMO,
    SOURCE_LABELS,
    SOURCE_PORTAL,
    SOURCE_UPLOAD,
    PortalStore,
    demo_size,
    load_configured_portal,
    load_demo_portal,
    load_pace_inputs,
    load_uploaded_portal,
    portal_choices,
    portal_projections,
    portal_settings,
    portal_store,
    portal_token,
)
from ui.metrics import (  # noqa: F401 - the glue's public names, one import for pages
    CARD_WIDTH,
    NARROW_CARD_WIDTH,
    Card,
    render_cards,
    seat_cards,
)
from ui.sidebar import (  # noqa: F401 - the glue's public names, one import for pages
    EMPTY_VIEW_MESSAGE,
    QP_FROM,
    QP_MULTI,
    QP_SOURCE,
    QP_TO,
    QP_TZ,
    TZ_BROWSER,
    TZ_MODE_LABELS,
    TZ_PICK,
    TZ_SESSION,
    render_banners,
    render_filters,
    render_sidebar,
    render_source_picker,
    render_zone_picker,
    searched_options,
    start_page,
    write_query_params,
)
from ui.tables import (  # noqa: F401 - the glue's public names, one import for pages
    DATETIME_FORMAT,
    DEFER_DOWNLOAD_ROWS,
    DIGEST_ROWS,
    FILL_COLUMNS,
    MAX_TABLE_ROWS,
    csv_download,
    default_column_config,
    deferred,
    render_projected_risk,
    render_risk_digest,
    render_status_legend,
    table_with_download,
)
from ui.view import (  # noqa: F401 - the glue's public names, one import for pages
    MEMO_ENTRIES,
    TODAY_ENV,
    VIEW_KEY,
    View,
    memo,
    today,
    view_projections,
    view_token,
)
