"""The web application: app factory, layout, static files, middleware."""
