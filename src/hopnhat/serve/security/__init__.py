"""Who may see what: sessions and CSRF, roles, scopes, masking of identifiers, accounts and tokens, the audit log."""
