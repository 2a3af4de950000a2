"""The client portal: server-rendered pages over the same services and selectors as the API.

Not an app of its own (no models): views, forms and urls, mounted at the site root, with
django-allauth doing sign-up, sign-in, e-mail verification and password reset.
"""
