"""Uploaded files, storage credentials and private download links."""
