"""The comprehensive license certificate (综合许可凭证): its face, signed token, QR, derived status and rendering.

Pure domain: nothing here imports the web framework or the database; ``service/certs/`` stores and serves it.
"""
