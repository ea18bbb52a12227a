"""Request limits shared by the app and its gunicorn worker (this module imports nothing)."""

#: A vote form is under a hundred bytes; anything over this is refused with 413 unread.
MAX_BODY_BYTES = 1024
