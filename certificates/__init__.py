"""The comprehensive license certificate (综合许可凭证), its QR code and verification: a later capability."""
