"""The web application: settings, the app database, the request context and plumbing, the app factory, the
versioned-store reader, and running the app in a background thread."""
