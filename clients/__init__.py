"""Client profiles, KYC, trading accounts and the client portal."""
