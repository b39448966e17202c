"""The HTML pages, one module per page or area (lookup and records, review, dashboard and quarantine, catalog,
accounts, login and own account), and the server-side SVG charts they draw."""
